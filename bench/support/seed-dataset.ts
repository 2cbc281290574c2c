/**
 * Child process: `seed-dataset.ts <cacheRoot> <spans>...` writes the
 * synthetic query data set (query-dataset.ts) through the store's write
 * (SqliteStore, or SegmentStore with BENCH_SEED_STORE=segments) into
 * `<cacheRoot>/growing-<pid>`, and each time the store reaches one of the given
 * sizes, copies it to `<cacheRoot>/<size>/` with a `meta.json` that marks it
 * complete. One pass yields every size, and the bench reuses them next time.
 * synchronous=NORMAL: a seed that dies half way is simply regenerated.
 */
import { SegmentStore } from '../../packages/explorer/src/store/segments/segment-store.ts';
import type { Store } from '../../packages/explorer/src/store/store.ts';
import fs from 'node:fs';
import path from 'node:path';
import { SqliteStore, type StoredSpan } from '../../packages/explorer/src/index.ts';
import { DATASET_VERSION, type DatasetMeta, SPANS_PER_TRACE, TRACE_STEP_MS, traceSpans } from './query-dataset.ts';

const [cacheRoot, ...sizeArgs] = process.argv.slice(2);
const sizes = sizeArgs.map(Number).sort((a, b) => a - b);
if (!cacheRoot || sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
  process.stderr.write('usage: seed-dataset.ts <cacheRoot> <spans>...\n');
  process.exit(2);
}
// Per process, so a long seed in the background and a bench run's small seed do not collide.
const growing = path.join(cacheRoot, `growing-${process.pid}`);
fs.rmSync(growing, { recursive: true, force: true });
const segments = process.env.BENCH_SEED_STORE === 'segments';
const open = async (): Promise<Store> =>
  segments
    ? SegmentStore.open({ dataDir: growing, maxQueuedSpans: 1_000_000 })
    : new SqliteStore({ dataDir: growing, synchronous: 'NORMAL', maxBatchSpans: 20_000, maxQueuedSpans: 1_000_000 });
let store = await open();
const started = Date.now();
const maxTraces = Math.ceil((sizes.at(-1) as number) / SPANS_PER_TRACE);
// Trace i starts at a fixed time whatever the size, ending at the seed's start.
const firstStartMs = started - maxTraces * TRACE_STEP_MS;
const perBatch = 20_000 / SPANS_PER_TRACE;
let lastReport = started;
let done = 0;
for (const size of sizes) {
  const traces = Math.ceil(size / SPANS_PER_TRACE);
  while (done < traces) {
    const batch: StoredSpan[] = [];
    const upTo = Math.min(traces, done + perBatch);
    for (let j = done; j < upTo; j++) batch.push(...traceSpans(j, firstStartMs + j * TRACE_STEP_MS));
    await store.write(batch);
    done = upTo;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      process.stderr.write(`[bench] seed: ${done * SPANS_PER_TRACE} spans (${((done * SPANS_PER_TRACE) / (lastReport - started)).toFixed(1)}k spans/s)\n`);
    }
  }
  await store.close();
  const target = path.join(cacheRoot, String(size));
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(growing, target, { recursive: true });
  const meta: DatasetMeta = {
    spans: traces * SPANS_PER_TRACE,
    traces,
    firstStartMs,
    lastStartMs: firstStartMs + (traces - 1) * TRACE_STEP_MS,
    seededMs: Date.now() - started,
    version: DATASET_VERSION,
  };
  fs.writeFileSync(path.join(target, 'meta.json'), `${JSON.stringify(meta)}\n`);
  process.stderr.write(`[bench] seed: ${size} spans ready after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (size !== sizes.at(-1)) store = await open();
}
fs.rmSync(growing, { recursive: true, force: true });
