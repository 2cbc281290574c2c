/**
 * Starts the shop's five services as child processes and waits until each
 * has logged `{"msg":"ready"}`. Servers bind port 0 unless told otherwise, and
 * each reports its address in its ready line, which is handed to the next
 * (inventory → orders → gateway), so several shops can run side by side
 * (tests beside a running demo) without port races.
 * Used by the demo (scripts/demo.ts) and the cross-process tests (test/shop/).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVICES = ['inventory', 'orders', 'gateway', 'notifications', 'shipping'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface LogLine {
  service: ServiceName;
  line: string;
  json: Record<string, unknown> | undefined;
}

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  /** Fields of the ready line (e.g. `address`). */
  ready: Record<string, unknown>;
  exited: Promise<number | null>;
}

export interface LaunchOptions {
  /** Environment for every service (merged over process.env). */
  env: Record<string, string>;
  /** Per-service extra environment. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  onLog?: (line: LogLine) => void;
  readyTimeoutMs?: number;
  /** Fixed addresses (the demo's well-known ports); port 0 otherwise. */
  inventoryAddr?: string;
  ordersAddr?: string;
  gatewayPort?: number;
}

export interface Shop {
  gatewayUrl: string;
  services: Map<ServiceName, ServiceProcess>;
  /** SIGTERM every service (front door first), wait for them to flush and exit. */
  stop(): Promise<void>;
}

function parse(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function startService(name: ServiceName, env: Record<string, string>, options: Pick<LaunchOptions, 'onLog' | 'readyTimeoutMs'> = {}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'services', name, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<ServiceProcess>((resolve, reject) => {
    let done = false;
    const recent: string[] = [];
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready after ${options.readyTimeoutMs ?? 30_000} ms; last output:\n${recent.join('\n')}`));
    }, options.readyTimeoutMs ?? 30_000);
    const onLine = (line: string): void => {
      recent.push(line);
      if (recent.length > 30) recent.shift();
      const json = parse(line);
      options.onLog?.({ service: name, line, json });
      if (!done && json?.msg === 'ready') {
        done = true;
        clearTimeout(timer);
        resolve({ name, child, ready: json, exited });
      }
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready; last output:\n${recent.join('\n')}`));
    });
  });
}

/** Stops one service with SIGTERM (SIGKILL after `graceMs`); resolves with its exit code. */
export async function stopService(service: ServiceProcess, graceMs = 15_000): Promise<number | null> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.child.exitCode;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  const code = await service.exited;
  clearTimeout(timer);
  return code;
}

export async function launchShop(options: LaunchOptions): Promise<Shop> {
  const services = new Map<ServiceName, ServiceProcess>();
  const envFor = (name: ServiceName, extra: Record<string, string> = {}): Record<string, string> => ({
    ...options.env,
    ...extra,
    ...(options.serviceEnv?.[name] ?? {}),
  });
  const start = async (name: ServiceName, extra: Record<string, string> = {}): Promise<ServiceProcess> => {
    const service = await startService(name, envFor(name, extra), options);
    services.set(name, service);
    return service;
  };
  const stop = async (): Promise<void> => {
    for (const name of ['gateway', 'orders'] as const) {
      const s = services.get(name);
      if (s) await stopService(s);
    }
    await Promise.all([...services.values()].map((s) => stopService(s)));
  };
  const consumers = Promise.all([start('notifications'), start('shipping')]);
  try {
    const inventory = await start('inventory', { INVENTORY_ADDR: options.inventoryAddr ?? '127.0.0.1:0' });
    const orders = await start('orders', {
      INVENTORY_ADDR: String(inventory.ready.address),
      ORDERS_ADDR: options.ordersAddr ?? '127.0.0.1:0',
    });
    const gateway = await start('gateway', {
      ORDERS_ADDR: String(orders.ready.address),
      GATEWAY_PORT: String(options.gatewayPort ?? 0),
    });
    await consumers;
    return { gatewayUrl: String(gateway.ready.url), services, stop };
  } catch (error) {
    await consumers.catch(() => {});
    await stop();
    throw error;
  }
}
