/**
 * The store's write path alone (no network, no protobuf): `write-loop.ts <spans> [dir]`
 * writes the query data set's traces (query-dataset.ts: 8 spans, 3-5
 * high-cardinality attributes) through SqliteStore.write, 512 spans per call
 * and 8 calls in flight (what 4 exporters with 2 requests each send), with the
 * explorer's durability (synchronous=FULL). Prints spans/s and spans per
 * CPU-second for every tenth of the fill, and bytes per span at the end, as
 * JSON lines. Used to compare store layouts (docs/performance.md, section 3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore, type StoredSpan } from '../../packages/explorer/src/index.ts';
import { SPANS_PER_TRACE, TRACE_STEP_MS, traceSpans } from './query-dataset.ts';

const total = Number(process.argv[2] ?? 200_000);
const dir = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tw-write-loop-'));
const PER_CALL = 512;
const INFLIGHT = 8;
const store = new SqliteStore({ dataDir: dir });
const traces = Math.ceil(total / SPANS_PER_TRACE);
const t0 = Date.now() - traces * TRACE_STEP_MS;
const tracesPerCall = PER_CALL / SPANS_PER_TRACE;
const windowTraces = Math.ceil(traces / 10);
let next = 0;
let windowStart = { at: performance.now(), cpu: process.cpuUsage(), done: 0 };
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function sender(): Promise<void> {
  while (next < traces) {
    const from = next;
    next = Math.min(traces, next + tracesPerCall);
    const spans: StoredSpan[] = [];
    for (let i = from; i < next; i++) spans.push(...traceSpans(i, t0 + i * TRACE_STEP_MS));
    await store.write(spans);
    if (next - windowStart.done >= windowTraces) report(next);
  }
}

function report(done: number): void {
  const now = performance.now();
  const cpu = process.cpuUsage(windowStart.cpu);
  const spans = (done - windowStart.done) * SPANS_PER_TRACE;
  process.stdout.write(
    `${JSON.stringify({ spansStored: done * SPANS_PER_TRACE, spansPerSec: Math.round(spans / ((now - windowStart.at) / 1000)), spansPerCpuSec: Math.round(spans / cpuSeconds(cpu)) })}\n`,
  );
  windowStart = { at: now, cpu: process.cpuUsage(), done };
}

const started = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: INFLIGHT }, sender));
const secs = (performance.now() - started) / 1000;
const cpu = cpuSeconds(process.cpuUsage(cpu0));
await store.close();
const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
process.stdout.write(
  `${JSON.stringify({ total: traces * SPANS_PER_TRACE, spansPerSec: Math.round((traces * SPANS_PER_TRACE) / secs), spansPerCpuSec: Math.round((traces * SPANS_PER_TRACE) / cpu), bytesPerSpan: Math.round(bytes / (traces * SPANS_PER_TRACE)), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
if (!process.argv[3]) fs.rmSync(dir, { recursive: true, force: true });
