/**
 * Bench 3, explorer ingest: spans per second acknowledged (= committed to
 * disk) over OTLP/gRPC and OTLP/HTTP-protobuf from 4 concurrent exporters,
 * and the explorer's peak memory. The explorer runs as its own process with a
 * fresh data directory per protocol; the exporters are worker threads sending
 * pre-encoded requests (bench/support/otlp-bodies.ts), so encoding is not
 * what is measured. Target: 100,000 spans/s sustained, under 500 MiB; and
 * (issue 12) at most 150 bytes of disk per stored span, read from the data
 * directory once the explorer has stopped (support/disk-usage.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchResult, type Figure, type RunOptions, percentile, progress, stamp } from './lib.ts';
import { type Baseline, checkoutBaseline } from './support/baseline.ts';
import { diskFigure, stopAndMeasure } from './support/disk-usage.ts';
import { startExplorerProcess } from './support/explorer-process.ts';
import type { IngestWorkerData, IngestWorkerResult } from './support/ingest-worker.ts';
import { SPANS_PER_TRACE } from './support/otlp-bodies.ts';
import type { Protocol } from './support/otlp-sender.ts';
import { EXPORTERS, INFLIGHT, TRACES_PER_REQUEST, startSenders } from './support/sender-threads.ts';

const TARGET_RATE = 100_000;
const TARGET_MIB = 500;

type Measured = Awaited<ReturnType<typeof measure>>;

/** `bin`: another checkout's explorer (the in-run baseline); default this one. `args`: explorer flags (the store). */
export async function measure(protocol: Protocol, warmupMs: number, durationMs: number, bin?: string, args: string[] = []) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-ingest-'));
  const explorer = await startExplorerProcess(dataDir, args, bin);
  try {
    const port = protocol === 'grpc' ? explorer.grpcPort : explorer.httpPort;
    // The explorer's CPU time over the window: spans per CPU-second is its capacity per core,
    // which a busy shared machine does not distort the way it distorts spans per wall-second.
    const senders = await startSenders<IngestWorkerResult>('./ingest-worker.ts', EXPORTERS, (i): IngestWorkerData => ({
      protocol, host: '127.0.0.1', port, sender: i + (protocol === 'grpc' ? 0 : 16), tracesPerRequest: TRACES_PER_REQUEST, inflight: INFLIGHT, warmupMs, durationMs,
    }));
    const { startAt } = senders;
    let cpuAtStart = Number.NaN;
    let cpuAtEnd = Number.NaN;
    let mainAtStart = Number.NaN;
    let mainAtEnd = Number.NaN;
    // The senders share the two cores with the explorer: their CPU (this process, worker threads included) says how much was left to it.
    let sendersAtStart = process.cpuUsage();
    let sendersCpu = Number.NaN;
    const t1 = setTimeout(() => {
      cpuAtStart = explorer.cpuSeconds();
      mainAtStart = explorer.mainThreadCpuSeconds();
      sendersAtStart = process.cpuUsage();
    }, startAt + warmupMs - Date.now());
    const t2 = setTimeout(() => {
      cpuAtEnd = explorer.cpuSeconds();
      mainAtEnd = explorer.mainThreadCpuSeconds();
      const used = process.cpuUsage(sendersAtStart);
      sendersCpu = (used.user + used.system) / 1e6;
    }, startAt + warmupMs + durationMs - Date.now());
    const results = await senders.results;
    clearTimeout(t1);
    clearTimeout(t2);
    const acked = results.reduce((n, r) => n + r.ackedSpans, 0);
    const cpu = cpuAtEnd - cpuAtStart;
    const latencies = results.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    const peakMiB = explorer.peakRssMiB();
    // Cross-check durability (everything acknowledged is stored), and the disk it takes once stopped cleanly.
    const disk = await stopAndMeasure(explorer, dataDir);
    return {
      rate: acked / (durationMs / 1000),
      acked,
      explorerCpuSeconds: cpu,
      spansPerCpuSecond: acked / cpu,
      explorerCoresUsed: cpu / (durationMs / 1000),
      /** Of which its main thread: near 1, that thread is the bound. */
      mainThreadCoresUsed: (mainAtEnd - mainAtStart) / (durationMs / 1000),
      /** Main-thread CPU per acknowledged span: the figure a change to the event loop's work moves, steadier than the rate. */
      mainThreadUsPerSpan: ((mainAtEnd - mainAtStart) * 1e6) / acked,
      sendersCoresUsed: sendersCpu / (durationMs / 1000),
      stored: disk.spans,
      disk,
      peakMiB,
      refused: results.reduce((n, r) => n + r.refused, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      firstError: results.find((r) => r.firstError)?.firstError,
    };
  } finally {
    await explorer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * BENCH_INGEST_STORES picks the windows: `sqlite` (issue 12's baseline), `segments` (the default
 * store, always measured), `shards` (the segment store in SHARDS worker threads, --shards).
 * Default: all three.
 */
function storesToCompare(): string[] {
  return (process.env.BENCH_INGEST_STORES ?? 'sqlite,segments,shards').split(',').map((x) => x.trim());
}

const SHARDS = 2;

/** The sharded store against the default one, same run: what a thread per shard buys in rate and costs in memory. */
function shardFigures(protocol: Protocol, s: Measured, m: Measured): Figure[] {
  const label = `OTLP/${protocolLabel(protocol)}, segment store in ${SHARDS} shards (--shards ${SHARDS})`;
  return [
    {
      case: `ingest ${label}, acked`,
      value: s.rate,
      unit: 'spans/s',
      baseline: m.rate,
      ratio: s.rate / m.rate,
      target: '>= 100,000 spans/s',
      met: s.rate >= TARGET_RATE,
      note: `baseline: the default (unsharded) segment store, same run; the explorer used ${s.explorerCoresUsed.toFixed(2)} cores, the senders ${s.sendersCoresUsed.toFixed(2)}; export p50 ${s.p50.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms; ${s.refused} refused, ${s.failed} failed; stored ${s.stored} >= acked ${s.acked}: ${s.stored >= s.acked ? 'yes' : 'NO'}`,
    },
    {
      case: `ingest ${label}, explorer peak RSS`,
      value: s.peakMiB,
      unit: 'MiB',
      baseline: m.peakMiB,
      ratio: s.peakMiB / m.peakMiB,
      target: '< 500 MiB',
      met: s.peakMiB < TARGET_MIB,
      note: `a V8 heap per shard thread; baseline: the default segment store, same run${s.peakMiB < TARGET_MIB ? '' : `; ${(s.peakMiB - TARGET_MIB).toFixed(0)} MiB over`}`,
    },
  ];
}

const protocolLabel = (p: Protocol): string => (p === 'grpc' ? 'gRPC' : 'HTTP protobuf');

/** Run-to-run spread of these figures on this shared 2-core VM is about ±10%: a smaller drop is noise. */
const NO_WORSE_RATIO = 0.9;

function baselineFigures(protocol: Protocol, m: Measured, b: Measured, baseline: Baseline | { label: string }): Figure[] {
  const at = 'label' in baseline ? `vs ${baseline.label}, same run` : `vs ${baseline.ref} (${baseline.sha.slice(0, 7)}), same run`;
  const rows: Array<[string, number, number, string]> = [
    [`ingest OTLP/${protocolLabel(protocol)}, acked, ${at}`, m.rate, b.rate, 'spans/s'],
    [`ingest OTLP/${protocolLabel(protocol)}, per explorer CPU-second, ${at}`, m.spansPerCpuSecond, b.spansPerCpuSecond, 'spans/CPU-s'],
  ];
  return rows
    .filter(([, value, base]) => Number.isFinite(value) && Number.isFinite(base) && base > 0)
    .map(([name, value, base, unit]) => ({
      case: name,
      value,
      unit,
      baseline: base,
      ratio: value / base,
      target: `no worse than before (ratio >= ${NO_WORSE_RATIO})`,
      met: value / base >= NO_WORSE_RATIO,
      note: `baseline stored ${b.stored} >= acked ${b.acked}: ${b.stored >= b.acked ? 'yes' : 'NO'}; ${b.refused} refused, ${b.failed} failed`,
    }));
}

export async function run(quick: boolean, options: RunOptions = {}): Promise<BenchResult> {
  const warmupMs = quick ? 1_000 : 3_000;
  const durationMs = quick ? 3_000 : 15_000;
  // One 15 s window moves ±15-25% with this VM's speed per core (docs/performance.md, section 3,
  // sixth pass): the default store's figure is the median of three, each window listed.
  const windowsPerStore = quick ? 1 : 3;
  const baseline = options.baselineRef ? checkoutBaseline(options.baselineRef) : undefined;
  const figures: Figure[] = [];
  const parameters: Record<string, unknown> = {
    exporters: EXPORTERS,
    inflightPerExporter: INFLIGHT,
    spansPerRequest: TRACES_PER_REQUEST * SPANS_PER_TRACE,
    spansPerTrace: SPANS_PER_TRACE,
    attributesPerSpan: '3-5 plus 4 resource attributes',
    warmupMs,
    durationMs,
    windowsPerStore,
    durability: 'ack after commit: segment store fdatasync of the appended blocks; SQLite store WAL with synchronous=FULL',
    disk: 'bytes of the data directory after the explorer stopped cleanly (WAL checkpointed) / spans stored (/api/tw/status spans), per protocol: a store of warm-up + window spans',
    sender: 'worker threads, pre-encoded OTLP/protobuf (ProtobufTraceSerializer), fresh trace ids per request',
    baseline: baseline ? { ref: baseline.ref, sha: baseline.sha, order: 'per protocol: baseline explorer first, then this one' } : 'none',
  };
  const stores = storesToCompare();
  parameters.stores = stores;
  for (const protocol of ['grpc', 'http/protobuf'] as const) {
    let sqlite: Measured | undefined;
    if (stores.includes('sqlite')) {
      // Issue 12's in-run baseline: the SQLite store of this same checkout.
      progress(`explorer-ingest: ${protocol}, SQLite store, ${EXPORTERS} exporters, ${durationMs / 1000} s`);
      sqlite = await measure(protocol, warmupMs, durationMs, undefined, ['--store', 'sqlite']);
      parameters[`${protocol} sqlite store detail`] = sqlite;
    }
    let b: Measured | undefined;
    if (baseline) {
      progress(`explorer-ingest: ${protocol}, baseline ${baseline.ref}, ${EXPORTERS} exporters, ${durationMs / 1000} s`);
      b = await measure(protocol, warmupMs, durationMs, baseline.bin);
      parameters[`${protocol} baseline detail`] = b;
    }
    const windows: Measured[] = [];
    for (let w = 1; w <= windowsPerStore; w++) {
      progress(`explorer-ingest: ${protocol}, segment store, ${EXPORTERS} exporters, ${durationMs / 1000} s${windowsPerStore > 1 ? `, window ${w} of ${windowsPerStore}` : ''}`);
      windows.push(await measure(protocol, warmupMs, durationMs, undefined, ['--store', 'segments']));
    }
    const m = medianWindow(windows);
    parameters[`${protocol} detail`] = m;
    parameters[`${protocol} windows`] = windows.map((x) => ({ rate: x.rate, spansPerCpuSecond: x.spansPerCpuSecond, explorerCoresUsed: x.explorerCoresUsed, peakMiB: x.peakMiB }));
    figures.push(...currentFigures(protocol, m, windows));
    const at = baseline && b ? `${baseline.ref} (${baseline.sha.slice(0, 7)}) after the same window, same run` : undefined;
    figures.push(diskFigure(`disk per stored span after the OTLP/${protocolLabel(protocol)} window`, m.disk, b?.disk, at));
    if (baseline && b) figures.push(...baselineFigures(protocol, m, b, baseline));
    if (stores.includes('shards')) {
      progress(`explorer-ingest: ${protocol}, segment store in ${SHARDS} shards, ${EXPORTERS} exporters, ${durationMs / 1000} s`);
      const sharded = await measure(protocol, warmupMs, durationMs, undefined, ['--store', 'segments', '--shards', String(SHARDS)]);
      parameters[`${protocol} ${SHARDS} shards detail`] = sharded;
      figures.push(...shardFigures(protocol, sharded, m));
    }
    if (sqlite) {
      figures.push(...baselineFigures(protocol, m, sqlite, { label: 'the SQLite store (--store sqlite, this checkout)' }));
      figures.push(diskFigure(`disk per stored span after the OTLP/${protocolLabel(protocol)} window, vs the SQLite store`, m.disk, sqlite.disk, 'the SQLite store after the same window, same run'));
    }
  }
  return {
    name: 'explorer-ingest',
    title: 'Explorer ingest: acknowledged spans/s from 4 exporters, peak memory',
    ...stamp(),
    quick,
    parameters,
    figures,
  };
}

/** The window of median rate, with the highest peak RSS of them all (the memory bound holds in every window or not at all). */
function medianWindow(windows: Measured[]): Measured {
  const byRate = [...windows].sort((a, b) => a.rate - b.rate);
  const median = byRate[Math.floor((byRate.length - 1) / 2)] as Measured;
  return { ...median, peakMiB: Math.max(...windows.map((w) => w.peakMiB)) };
}

function currentFigures(protocol: Protocol, m: Measured, windows: Measured[]): Figure[] {
  const figures: Figure[] = [];
  const short = m.rate / TARGET_RATE;
  const spread = windows.length > 1 ? `median of ${windows.length} windows (${windows.map((w) => `${(w.rate / 1000).toFixed(1)}k`).join(', ')}); ` : '';
  figures.push({
    case: `ingest OTLP/${protocolLabel(protocol)}, acked`,
    value: m.rate,
    unit: 'spans/s',
    ratio: short,
    target: '>= 100,000 spans/s',
    met: m.rate >= TARGET_RATE,
    note: `${spread}${m.rate >= TARGET_RATE ? '' : `${((1 - short) * 100).toFixed(0)}% below target (x${(1 / short).toFixed(1)} needed); `}export p50 ${m.p50.toFixed(0)} ms, p99 ${m.p99.toFixed(0)} ms; ${m.refused} refused (429/UNAVAILABLE), ${m.failed} failed; stored ${m.stored} >= acked ${m.acked}: ${m.stored >= m.acked ? 'yes' : 'NO'}`,
  });
  // /proc may be unreadable (not Linux, or the process gone): then there is no CPU figure, not a NaN one.
  if (Number.isFinite(m.spansPerCpuSecond)) figures.push({
    case: `ingest OTLP/${protocolLabel(protocol)}, per explorer CPU-second`,
    value: m.spansPerCpuSecond,
    unit: 'spans/CPU-s',
    ratio: m.spansPerCpuSecond / TARGET_RATE,
    note: `the explorer used ${m.explorerCoresUsed.toFixed(2)} cores of 2 during the window (its event loop ${m.mainThreadCoresUsed.toFixed(2)}, ${m.mainThreadUsPerSpan.toFixed(2)} µs a span; the rest V8's collector and libuv's pool), the senders ${m.sendersCoresUsed.toFixed(2)}`,
  });
  figures.push({
    case: `ingest OTLP/${protocolLabel(protocol)}, explorer peak RSS`,
    value: m.peakMiB,
    unit: 'MiB',
    target: '< 500 MiB',
    met: m.peakMiB < TARGET_MIB,
    note: `${windows.length > 1 ? `the highest of ${windows.length} windows (${windows.map((w) => w.peakMiB.toFixed(0)).join(', ')} MiB)` : 'one window'}${m.peakMiB < TARGET_MIB ? '' : `; ${(m.peakMiB - TARGET_MIB).toFixed(0)} MiB over`}`,
  });
  return figures;
}
