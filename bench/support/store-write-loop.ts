/**
 * The store alone, no network: OTLP requests of the ingest bench's shape
 * (otlp-bodies.ts, fresh trace ids each) decoded as the receiver decodes them
 * and written 8 in flight, as concurrent exports arrive. Prints decode and
 * store CPU per span and bytes per span on disk, for the SQLite store and the
 * segment store in one process, one after the other, and the segment store
 * fed the request bytes as the receivers feed it (`seg-raw`: scanned, not decoded).
 *
 *   node --import tsx bench/support/store-write-loop.ts [--spans=500000] [--store=both|sqlite|segments|seg-raw] [--io=pool|inline]
 *
 * `--io`: where the segment store deflates and syncs (segment.ts SegmentIo); default 'pool'.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeProtobuf } from '../../packages/explorer/src/receive/decode.ts';
import { DEFAULT_LIMITS } from '../../packages/explorer/src/receive/limits.ts';
import type { SegmentIo } from '../../packages/explorer/src/store/segments/segment.ts';
import { SegmentStore } from '../../packages/explorer/src/store/segments/segment-store.ts';
import { SqliteStore } from '../../packages/explorer/src/store/sqlite-store.ts';
import type { Store } from '../../packages/explorer/src/store/store.ts';
import { dirBytes } from './disk-usage.ts';
import { cpuSeconds } from './proc.ts';
import { buildTemplate, stampTraceIds } from './otlp-bodies.ts';

const { values } = parseArgs({ options: { spans: { type: 'string', default: '500000' }, store: { type: 'string', default: 'both' }, io: { type: 'string', default: 'pool' } } });
if (values.io !== 'pool' && values.io !== 'inline') throw new Error(`--io=pool|inline, not ${values.io}`);
const io: SegmentIo = values.io;
const total = Number(values.spans);
const templates = ['gateway', 'orders', 'inventory', 'notifications'].map((s) => buildTemplate(s, 64));
const INFLIGHT = 8;

/** The main thread's CPU alone, seconds (10 ms ticks): what the event loop spends, without libuv's pool or V8's helpers. */
const mainCpu = (): number => cpuSeconds(`${process.pid}/task/${process.pid}`);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function fill(name: string, open: (dir: string) => Promise<Store>, raw = false): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tw-loop-${name}-`));
  const store = await open(dir);
  let seq = 0;
  let written = 0;
  let decodeCpu = 0;
  const wall0 = performance.now();
  const cpu0 = cpu();
  const main0 = mainCpu();
  const tenths: string[] = [];
  let mark = { at: cpu0, spans: 0 };
  const one = async (): Promise<void> => {
    while (written < total) {
      const t = templates[seq % templates.length] as (typeof templates)[number];
      const body = stampTraceIds(t, 7, seq++);
      const r = raw ? await store.writeProtobuf?.(body, DEFAULT_LIMITS) : undefined;
      if (r) written += r.spans;
      else {
        const d0 = cpu();
        const { spans } = decodeProtobuf(body);
        decodeCpu += cpu() - d0;
        written += spans.length;
        await store.write(spans);
      }
      if (written - mark.spans >= total / 10) {
        const now = cpu();
        tenths.push(((written - mark.spans) / (now - mark.at) / 1000).toFixed(1));
        mark = { at: now, spans: written };
      }
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, one));
  const wall = (performance.now() - wall0) / 1000;
  const used = cpu() - cpu0;
  const mainUsed = mainCpu() - main0;
  const status = await store.status();
  await store.close();
  const { bytes, files } = dirBytes(dir);
  if (process.env.BENCH_FILES) console.log(files);
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(
    `${name.padEnd(9)} ${written} spans: ${(written / wall / 1000).toFixed(1)}k spans/s wall, ${(written / used / 1000).toFixed(1)}k per CPU-s ` +
      `(decode ${((decodeCpu / written) * 1e6).toFixed(2)} µs/span, store ${(((used - decodeCpu) / written) * 1e6).toFixed(2)} µs/span; ` +
      `main thread ${((mainUsed / written) * 1e6).toFixed(2)} µs/span); ` +
      `${(bytes / status.spans).toFixed(0)} B/span; RSS ${rss.toFixed(0)} MiB; per CPU-s by tenth (k): ${tenths.join(' ')}`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

if (values.store === 'both' || values.store === 'sqlite') await fill('sqlite', async (dir) => new SqliteStore({ dataDir: dir }));
if (values.store === 'both' || values.store === 'segments') await fill('segments', (dir) => SegmentStore.open({ dataDir: dir }));
// The receivers' path for protobuf: the request scanned, no span objects (Store.writeProtobuf).
if (values.store === 'both' || values.store === 'seg-raw') await fill('seg-raw', (dir) => SegmentStore.open({ dataDir: dir, io }), true);
