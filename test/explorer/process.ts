/** Runs `tracewire` as a child process; `startExplorerProcess` waits for its ready line. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packages/explorer/bin/tracewire.js');

export interface ExplorerProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  uiPort: number;
  url: string;
  stderr(): string;
}

export interface StartOptions {
  /** Flags for node itself, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** How long to wait for the ready line. */
  readyTimeoutMs?: number;
  /** Another `tracewire` CLI (the bench's baseline checkout); default this repository's. */
  bin?: string;
}

/**
 * Starts `tracewire explorer` on ephemeral ports and resolves with the ports
 * from its first stdout line (tests and benchmarks share this).
 */
export function startExplorerProcess(dataDir: string, extra: string[] = [], options: StartOptions = {}): Promise<ExplorerProcess> {
  const args = [options.bin ?? BIN, 'explorer', '--data', dataDir, '--grpc-port', '0', '--http-port', '0', '--ui-port', '0', ...extra];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`explorer did not start: ${err}`));
    }, options.readyTimeoutMs ?? 20_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      // Only the first line matters; later output is drained, not kept.
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      const ready = JSON.parse(out.slice(0, nl)) as { grpcPort: number; httpPort: number; uiPort: number; url: string };
      resolve({ child, ...ready, stderr: () => err });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`explorer exited with ${code}: ${err}`));
    });
  });
}

export function waitExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
