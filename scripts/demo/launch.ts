/**
 * Starts the shop's five services as child processes, all at once, and
 * waits until each has logged `{"msg":"ready"}`. Unless told otherwise the
 * servers get free ports picked here (gRPC clients connect lazily, so the
 * start order does not matter), so several shops can run side by side
 * (tests beside a running demo).
 * Used by the demo (scripts/demo.ts) and the cross-process tests (test/shop/).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import net from 'node:net';
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
    // stdin is a pipe only so the service notices when this process dies (EXIT_WITH_PARENT).
    env: { ...process.env, ...env, EXIT_WITH_PARENT: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<ServiceProcess>((resolve, reject) => {
    let done = false;
    const recent: string[] = [];
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready after ${options.readyTimeoutMs ?? 90_000} ms; last output:\n${recent.join('\n')}`));
    }, options.readyTimeoutMs ?? 90_000);
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

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A port picked by `freePort` is only free until someone else binds it: a
 * client's ephemeral port, another test's server. When a service we gave a
 * picked address finds it taken, the shop is started again on new ports.
 */
export async function launchShop(options: LaunchOptions): Promise<Shop> {
  const picked = !options.inventoryAddr || options.inventoryAddr.endsWith(':0') || !options.ordersAddr || options.ordersAddr.endsWith(':0');
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(options);
    } catch (error) {
      if (!picked || attempt >= 3 || !String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
}

async function launchOnce(options: LaunchOptions): Promise<Shop> {
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
  // Port 0 means "any free port" here too, but the address must be known before the callers start.
  const address = async (given: string | undefined): Promise<string> =>
    given && !given.endsWith(':0') ? given : `${given?.slice(0, given.lastIndexOf(':')) || '127.0.0.1'}:${await freePort()}`;
  const inventoryAddr = await address(options.inventoryAddr);
  const ordersAddr = await address(options.ordersAddr);
  // No one connects to the gateway before it is ready: it binds port 0 itself and reports its URL.
  const gatewayPort = options.gatewayPort ?? 0;
  const starting = [
    start('inventory', { INVENTORY_ADDR: inventoryAddr }),
    start('orders', { INVENTORY_ADDR: inventoryAddr, ORDERS_ADDR: ordersAddr }),
    start('gateway', { ORDERS_ADDR: ordersAddr, GATEWAY_PORT: String(gatewayPort) }),
    start('notifications'),
    start('shipping'),
  ];
  try {
    const [, , gateway] = await Promise.all(starting);
    return { gatewayUrl: String(gateway?.ready.url), services, stop };
  } catch (error) {
    await Promise.allSettled(starting);
    await stop();
    throw error;
  }
}
