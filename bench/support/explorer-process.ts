/**
 * The explorer as a child process (the honest way to measure its memory: its
 * own RSS, not the bench's), on ephemeral ports with a data directory of the
 * bench's choosing. `BENCH_CPU_PROF=<dir>` runs it under `node --cpu-prof`
 * (profiles land in that directory on exit) for docs/performance.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from '../lib.ts';
import { cpuSeconds, statusMiB } from './proc.ts';

export const EXPLORER_BIN = path.resolve(BENCH_DIR, '../packages/explorer/bin/tracewire.js');

export interface ExplorerProcess {
  child: ChildProcess;
  pid: number;
  grpcPort: number;
  httpPort: number;
  uiPort: number;
  url: string;
  /** Peak resident set size so far (VmHWM), MiB. */
  peakRssMiB(): number;
  rssMiB(): number;
  /** CPU time the process has used (user + system), seconds: capacity per core, whatever else the machine runs. */
  cpuSeconds(): number;
  stop(): Promise<number | null>;
}

export function startExplorerProcess(dataDir: string, extra: string[] = []): Promise<ExplorerProcess> {
  const prof = process.env.BENCH_CPU_PROF;
  const nodeArgs = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, EXPLORER_BIN, 'explorer', '--data', dataDir, '--grpc-port', '0', '--http-port', '0', '--ui-port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`explorer did not start: ${err}`));
    }, 30_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      const ready = JSON.parse(out.slice(0, nl)) as { grpcPort: number; httpPort: number; uiPort: number; url: string };
      const pid = child.pid as number;
      resolve({
        child,
        pid,
        ...ready,
        peakRssMiB: () => statusMiB(pid, 'VmHWM'),
        rssMiB: () => statusMiB(pid, 'VmRSS'),
        cpuSeconds: () => cpuSeconds(pid),
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`explorer exited with ${code}: ${err}`));
    });
  });
}
