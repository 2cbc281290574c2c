/**
 * Issue #12 probe: DuckDB (`@duckdb/node-api`, appender) beside the explorer's
 * SqliteStore, on the same spans (query-dataset.ts `traceSpans`: 8-span
 * traces, unique order.id, product.id 1 in 500 traces), with the durability
 * the explorer needs: a write is done only once committed and fsynced
 * (SqliteStore: synchronous=FULL; DuckDB: COMMIT fsyncs its WAL).
 *
 * Each store runs in its own child process, one after the other, and reports:
 * - ingest: spans per CPU-second (all threads of the process, user + sys) and
 *   per wall-second, whole fill and per tenth (first vs last tenth), with and
 *   without the CPU spent generating the spans (measured alone first);
 * - bytes per span on disk after the fill (SQLite: traces.db after its
 *   closing checkpoint; DuckDB: .duckdb + .wal after CHECKPOINT);
 * - p50/p99 (ms, in-process, no HTTP) of: trace by id; service + operation,
 *   newest 20; attribute key=value, newest 20, for a unique order.id and a
 *   product.id in 1 of 500 traces; service map edges (SQLite: the explorer's
 *   newest 5,000 traces + buildServiceMap; DuckDB: one SQL join over the last
 *   hour's spans, and over the last 50 s ≈ 5,000 traces).
 * Writes go as the explorer's receivers send them: 8 exports of 512 spans
 * queued together, which SqliteStore commits as one transaction; DuckDB gets
 * the same 4,096 spans as one transaction (BEGIN, appenders, COMMIT).
 *
 * Run (one at a time; the machine is shared):
 *   nice -n 10 node --import tsx bench/support/duckdb-probe.ts [--spans=1000000] [--store=both|sqlite|duckdb]
 *     [--ids=dataset|random] [--queries=200] [--dir=.cache/duckdb-probe] [--memory=400MB] [--attr-hash=1]
 * `--ids=random` replaces the data set's sequential trace ids (which DuckDB's
 * zone maps can use) with random-looking ones, as real tracers send.
 * `--attr-hash=1` adds a 32-bit hash of each attribute to DuckDB's `attrs`
 * (duckdb-probe-store.ts) and searches by it.
 * Prints one JSON object per store, then a markdown table.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore, type StoredSpan, buildServiceMap } from '../../packages/explorer/src/index.ts';
import { mulberry32 } from '../../test/support/prng.ts';
import { DuckProbeStore } from './duckdb-probe-store.ts';
import { ROUTES, SERVICES, SPANS_PER_TRACE, TRACE_STEP_MS, orderIdOf, traceIdOf, traceSpans } from './query-dataset.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const SPANS = Number(args.get('spans') ?? 1_000_000);
const STORE = args.get('store') ?? 'both';
const IDS = args.get('ids') ?? 'dataset';
const QUERIES = Number(args.get('queries') ?? 200);
const DIR = path.resolve(args.get('dir') ?? '.cache/duckdb-probe');
const MEMORY = args.get('memory') ?? '400MB';
const ATTR_HASH = args.get('attr-hash') === '1';
const TRACES = Math.ceil(SPANS / SPANS_PER_TRACE);
const EXPORT_TRACES = 512 / SPANS_PER_TRACE;
const EXPORTS_PER_TX = 8;

const idOf = (i: number): string => (IDS === 'random' ? crypto.createHash('md5').update(traceIdOf(i)).digest('hex') : traceIdOf(i));

/** The 8 exports (512 spans each) starting at trace `first`. */
function group(first: number, firstStartMs: number): StoredSpan[][] {
  const out: StoredSpan[][] = [];
  for (let e = 0; e < EXPORTS_PER_TX && first < TRACES; e++) {
    const batch: StoredSpan[] = [];
    for (let j = 0; j < EXPORT_TRACES && first < TRACES; j++, first++) {
      const spans = traceSpans(first, firstStartMs + first * TRACE_STEP_MS);
      if (IDS === 'random') {
        const id = idOf(first);
        for (const s of spans) s.span.traceId = id;
      }
      batch.push(...spans);
    }
    out.push(batch);
  }
  return out;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Tenth {
  spansPerCpuS: number;
  spansPerWallS: number;
}

interface Sink {
  write(exports: StoredSpan[][]): Promise<void>;
}

/** Generation alone, so its CPU can be told apart from the store's. */
function generationCpuMsPerSpan(firstStartMs: number): number {
  const traces = Math.min(TRACES, 25_000);
  const c0 = cpuMs();
  let n = 0;
  for (let i = 0; i < traces; i += EXPORT_TRACES * EXPORTS_PER_TX) n += group(i, firstStartMs).reduce((a, b) => a + b.length, 0);
  return (cpuMs() - c0) / n;
}

async function fill(sink: Sink, firstStartMs: number): Promise<{ tenths: Tenth[]; cpuS: number; wallS: number }> {
  const tenths: Tenth[] = [];
  const step = EXPORT_TRACES * EXPORTS_PER_TX;
  const c0 = cpuMs();
  const w0 = performance.now();
  let mark = { c: c0, w: w0, spans: 0 };
  let spans = 0;
  for (let i = 0; i < TRACES; i += step) {
    const exports = group(i, firstStartMs);
    await sink.write(exports);
    spans += exports.reduce((a, b) => a + b.length, 0);
    if (spans - mark.spans >= SPANS / 10 || i + step >= TRACES) {
      const c = cpuMs();
      const w = performance.now();
      const n = spans - mark.spans;
      tenths.push({ spansPerCpuS: n / ((c - mark.c) / 1000), spansPerWallS: n / ((w - mark.w) / 1000) });
      process.stderr.write(`[probe] ${spans} spans, ${Math.round(tenths.at(-1)?.spansPerCpuS ?? 0)} per CPU-s\n`);
      mark = { c, w, spans };
    }
  }
  return { tenths, cpuS: (cpuMs() - c0) / 1000, wallS: (performance.now() - w0) / 1000 };
}

type QueryFn = (rnd: () => number) => Promise<unknown>;

async function timeQuery(name: string, reps: number, fn: QueryFn): Promise<[string, { p50: number; p99: number; n: number }]> {
  const rnd = mulberry32(12);
  for (let i = 0; i < Math.min(10, reps); i++) await fn(rnd);
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn(rnd);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => Number((ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)] ?? 0).toFixed(2));
  return [name, { p50: at(0.5), p99: at(0.99), n: reps }];
}

const pick = (rnd: () => number, n: number) => Math.floor(rnd() * n);
const fileBytes = (files: string[]) => files.reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);

/** The queries both stores answer; `check` asserts each finds what the data set says it holds. */
function queryPlan(q: {
  byId(id: string): Promise<number>;
  serviceOp(service: string, op: string): Promise<number>;
  attr(key: string, value: string): Promise<number>;
}): Array<[string, number, QueryFn]> {
  const must = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`probe query found nothing: ${what}`);
  };
  return [
    ['trace by id', QUERIES, async (r) => must((await q.byId(idOf(pick(r, TRACES)))) === SPANS_PER_TRACE, 'trace by id')],
    ['service + operation, newest 20', QUERIES, async (r) => {
      const i = pick(r, TRACES);
      must((await q.serviceOp(SERVICES[i % SERVICES.length] as string, ROUTES[i % ROUTES.length] as string)) > 0, 'service + operation');
    }],
    ['attribute, unique order.id', QUERIES, async (r) => must((await q.attr('order.id', orderIdOf(pick(r, TRACES)))) === 1, 'order.id')],
    ['attribute, product.id (1 in 500)', QUERIES, async (r) => must((await q.attr('product.id', `sku-${pick(r, 500)}`)) > 0, 'product.id')],
  ];
}

async function runSqlite(firstStartMs: number, lastStartNs: bigint): Promise<Record<string, unknown>> {
  const dir = path.join(DIR, 'sqlite');
  fs.rmSync(dir, { recursive: true, force: true });
  let store = new SqliteStore({ dataDir: dir, synchronous: 'FULL', maxQueuedSpans: 1_000_000 });
  const filled = await fill({ write: async (ex) => void (await Promise.all(ex.map((b) => store.write(b)))) }, firstStartMs);
  await store.close();
  const bytes = fileBytes([store.file, `${store.file}-wal`]);
  store = new SqliteStore({ dataDir: dir });
  const page = { attrs: [], limit: 20, offset: 0, sort: 'recent' as const };
  const plan = queryPlan({
    byId: async (id) => (await store.getTrace(id))?.length ?? 0,
    serviceOp: async (service, operation) => (await store.search({ ...page, service, operation })).traces.length,
    attr: async (key, value) => (await store.search({ ...page, attrs: [{ op: 'eq', key, value }] })).traces.length,
  });
  const queries = [];
  for (const [name, reps, fn] of plan) queries.push(await timeQuery(name, reps, fn));
  queries.push(await timeQuery('service map, newest 5,000 traces', 20, async () => {
    buildServiceMap(await store.recentTraces(lastStartNs - 3_600_000_000_000n, lastStartNs + 1n, 5000));
  }));
  await store.close();
  return { ...filled, bytes, queries: Object.fromEntries(queries) };
}

async function runDuck(firstStartMs: number, lastStartNs: bigint): Promise<Record<string, unknown>> {
  const dir = path.join(DIR, 'duckdb');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'traces.duckdb');
  const store = await DuckProbeStore.open({ file, memoryLimit: MEMORY, attrHash: ATTR_HASH });
  const filled = await fill({ write: (ex) => store.write(ex.flat()) }, firstStartMs);
  const c0 = cpuMs();
  const w0 = performance.now();
  await store.checkpoint();
  const checkpoint = { cpuS: (cpuMs() - c0) / 1000, wallS: (performance.now() - w0) / 1000 };
  const bytes = fileBytes([file, `${file}.wal`]);
  const plan = queryPlan({
    byId: async (id) => (await store.getTrace(id)).length,
    serviceOp: async (service, op) => (await store.searchServiceOperation(service, op)).traces.length,
    attr: async (key, value) => (await store.searchAttribute(key, value)).traces.length,
  });
  const queries = [];
  for (const [name, reps, fn] of plan) queries.push(await timeQuery(name, reps, fn));
  for (const [name, since] of [['service map, last hour', 3_600_000_000_000n], ['service map, last 50 s (~5,000 traces)', 50_000_000_000n]] as const) {
    queries.push(await timeQuery(name, 20, async () => {
      if ((await store.serviceMap(lastStartNs - since)).length === 0) throw new Error('empty service map');
    }));
  }
  store.close();
  return { ...filled, bytes, finalCheckpoint: checkpoint, queries: Object.fromEntries(queries) };
}

async function child(which: string): Promise<void> {
  // Trace i starts at a fixed time, the last one now, as in seed-dataset.ts.
  const firstStartMs = Date.now() - TRACES * TRACE_STEP_MS;
  const lastStartNs = BigInt(firstStartMs + (TRACES - 1) * TRACE_STEP_MS) * 1_000_000n + 1_000_000n;
  const genCpuMsPerSpan = generationCpuMsPerSpan(firstStartMs);
  const r = which === 'sqlite' ? await runSqlite(firstStartMs, lastStartNs) : await runDuck(firstStartMs, lastStartNs);
  const spans = TRACES * SPANS_PER_TRACE;
  const storeCpuS = (r.cpuS as number) - (genCpuMsPerSpan * spans) / 1000;
  const out = {
    store: which === 'duckdb' && ATTR_HASH ? 'duckdb, attrs.vhash' : which, spans, ids: IDS, genCpuMsPerSpan, ...r,
    spansPerCpuS: spans / (r.cpuS as number), spansPerStoreCpuS: spans / storeCpuS, spansPerWallS: spans / (r.wallS as number),
    bytesPerSpan: (r.bytes as number) / spans, peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** What a child prints (the fields the table reads). */
interface ProbeResult {
  store: string;
  spansPerCpuS: number;
  spansPerStoreCpuS: number;
  spansPerWallS: number;
  tenths: Tenth[];
  bytesPerSpan: number;
  peakRssMiB: number;
  queries: Record<string, { p50: number; p99: number }>;
}

function table(results: ProbeResult[]): string {
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  const lines = ['| figure | ' + results.map((r) => r.store).join(' | ') + ' |', '| --- |' + results.map(() => ' ---: |').join('')];
  const row = (name: string, f: (r: ProbeResult) => string) => lines.push(`| ${name} | ${results.map(f).join(' | ')} |`);
  row('spans per CPU-second (incl. generating)', (r) => k(r.spansPerCpuS));
  row('spans per CPU-second, store alone', (r) => k(r.spansPerStoreCpuS));
  row('spans per wall-second', (r) => k(r.spansPerWallS));
  row('first / last tenth, per CPU-s', (r) => `${k(r.tenths[0]?.spansPerCpuS ?? 0)} / ${k(r.tenths.at(-1)?.spansPerCpuS ?? 0)}`);
  row('first / last tenth, per wall-s', (r) => `${k(r.tenths[0]?.spansPerWallS ?? 0)} / ${k(r.tenths.at(-1)?.spansPerWallS ?? 0)}`);
  row('bytes per span on disk', (r) => r.bytesPerSpan.toFixed(0));
  row('peak RSS', (r) => `${r.peakRssMiB.toFixed(0)} MiB`);
  const names = [...new Set(results.flatMap((r) => Object.keys(r.queries)))];
  for (const n of names) row(`${n}, p50 / p99 ms`, (r) => {
    const q = r.queries[n];
    return q ? `${q.p50} / ${q.p99}` : '-';
  });
  return lines.join('\n');
}

if (args.get('child')) await child(args.get('child') as string);
else {
  const results: ProbeResult[] = [];
  for (const which of STORE === 'both' ? ['sqlite', 'duckdb'] : [STORE]) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), `--child=${which}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`${which} probe failed (exit ${r.status})`);
    process.stdout.write(r.stdout);
    results.push(JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as ProbeResult);
  }
  process.stdout.write(`\n${table(results)}\n`);
}
