/**
 * Watches a long fill from the main thread: samples the explorer's CPU time
 * every second (for spans per CPU-second in the first and last window, see
 * fill-windows.ts), prints the spans acknowledged and the current rate every
 * 10 s through progress(), and gives up when nothing has been acknowledged
 * for STALL_MS (an explorer that stopped answering must not hang the run).
 */
import { progress } from '../lib.ts';
import type { ExplorerProcess } from './explorer-process.ts';
import type { CpuSample } from './fill-windows.ts';
import { ACKED } from './sender-threads.ts';

const SAMPLE_MS = 1_000;
const PROGRESS_MS = 10_000;
const STALL_MS = 120_000;

export interface FillWatch {
  samples: CpuSample[];
  /** Rejects when the fill stalls; never resolves. */
  stalled: Promise<never>;
  stop(): void;
}

/** `counters`: the run's budget counters; `spansPerRequest` × ACKED = spans acknowledged so far. */
export function watchFill(explorer: ExplorerProcess, counters: Int32Array, spansPerRequest: number, total: number, label: string): FillWatch {
  const samples: CpuSample[] = [{ t: Date.now(), cpu: explorer.cpuSeconds() }];
  let lastAcked = 0;
  let seen = 0;
  let lastReport = Date.now();
  let lastChange = Date.now();
  let fail: (e: Error) => void = () => {};
  const stalled = new Promise<never>((_, reject) => (fail = reject));
  const timer = setInterval(() => {
    const now = Date.now();
    samples.push({ t: now, cpu: explorer.cpuSeconds() });
    const acked = Atomics.load(counters, ACKED) * spansPerRequest;
    if (acked !== seen) [seen, lastChange] = [acked, now];
    if (now - lastChange > STALL_MS) fail(new Error(`explorer-fill: ${label}: nothing acknowledged for ${STALL_MS / 1000} s at ${acked} of ${total} spans`));
    if (now - lastReport < PROGRESS_MS) return;
    const rate = (acked - lastAcked) / ((now - lastReport) / 1000);
    progress(`explorer-fill: ${label}: ${acked.toLocaleString('en')} of ${total.toLocaleString('en')} spans acked, ${(rate / 1000).toFixed(1)}k spans/s over the last ${((now - lastReport) / 1000).toFixed(0)} s, RSS ${explorer.rssMiB().toFixed(0)} MiB`);
    lastAcked = acked;
    lastReport = now;
  }, SAMPLE_MS);
  return { samples, stalled, stop: () => clearInterval(timer) };
}
