/** The discard sink (discard-sink.ts) as a child process: ports, span counts, CPU time. */
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './proc.ts';

export interface SinkStats {
  requests: number;
  bytes: number;
  spans: number;
  malformed: number;
}

export interface DiscardSink {
  pid: number;
  grpcPort: number;
  httpPort: number;
  stats(): Promise<SinkStats>;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./discard-sink.ts', import.meta.url));

export async function startDiscardSink(): Promise<DiscardSink> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await Promise.race([
    new Promise<string>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', resolve)),
    exited.then(() => {
      throw new Error('discard sink exited before it was ready');
    }),
  ]);
  child.stdout?.resume();
  const { grpcPort, httpPort } = JSON.parse(first) as { grpcPort: number; httpPort: number };
  const pid = child.pid as number;
  return {
    pid,
    grpcPort,
    httpPort,
    stats: async () => (await (await fetch(`http://127.0.0.1:${httpPort}/stats`)).json()) as SinkStats,
    cpuSeconds: () => cpuSeconds(pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
