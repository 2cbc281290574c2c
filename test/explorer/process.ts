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

export function startExplorerProcess(dataDir: string, extra: string[] = []): Promise<ExplorerProcess> {
  const child = spawn(process.execPath, [BIN, 'explorer', '--data', dataDir, '--grpc-port', '0', '--http-port', '0', '--ui-port', '0', ...extra], {
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
    }, 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        const ready = JSON.parse(line) as { grpcPort: number; httpPort: number; uiPort: number; url: string };
        resolve({ child, ...ready, stderr: () => err });
      }
    });
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
