/**
 * The explorer as a child process (the honest way to measure its memory: its
 * own RSS, not the bench's), on ephemeral ports with a data directory of the
 * bench's choosing. `BENCH_CPU_PROF=<dir>` runs it under `node --cpu-prof`
 * (profiles land in that directory on exit) for docs/performance.md.
 */
import type { ChildProcess } from 'node:child_process';
import { startExplorerProcess as spawnExplorer, waitExit } from '../../test/explorer/process.ts';
import { cpuSeconds, statusMiB } from './proc.ts';

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
  /** CPU time of its main thread alone (the event loop that receives, scans and indexes), seconds. */
  mainThreadCpuSeconds(): number;
  stop(): Promise<number | null>;
}

export async function startExplorerProcess(dataDir: string, extra: string[] = [], bin?: string): Promise<ExplorerProcess> {
  const prof = process.env.BENCH_CPU_PROF;
  const started = await spawnExplorer(dataDir, extra, {
    nodeArgs: [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    // A 10M-span store reads its segments' index snapshots first (~45 s here).
    readyTimeoutMs: 180_000,
    ...(bin ? { bin } : {}),
  });
  const { child, grpcPort, httpPort, uiPort, url } = started;
  const pid = child.pid as number;
  return {
    child,
    pid,
    grpcPort,
    httpPort,
    uiPort,
    url,
    peakRssMiB: () => statusMiB(pid, 'VmHWM'),
    rssMiB: () => statusMiB(pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(pid),
    mainThreadCpuSeconds: () => cpuSeconds(`${pid}/task/${pid}`),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await waitExit(child);
      clearTimeout(kill);
      return code;
    },
  };
}
