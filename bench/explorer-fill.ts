/**
 * Bench 3b, explorer fill (issue 12): "ingest keeps its rate as the store
 * grows: spans/s in the first and the last minute of a 10M-span fill; the
 * last must be ≥ 80% of the first". A fresh explorer process is filled over
 * OTLP/HTTP protobuf by the ingest bench's senders (4 worker threads,
 * pre-encoded 512-span requests, 2 in flight each) until N spans are
 * acknowledged; the rate in the first and the last window comes from the
 * senders' acknowledgement times (support/fill-windows.ts). Also the whole
 * fill's rate, peak RSS and disk per stored span at the end, and the same
 * for the in-run baseline explorer (filled first).
 *
 * N: 10,000,000 with 60 s windows when named (`npm run bench explorer-fill`;
 * both explorers take 15-40 min here), 1,000,000 with 10 s windows as part
 * of a whole `npm run bench`, 150,000 with 3 s windows with --quick;
 * `BENCH_FILL_SPANS=<n>` overrides N (windows: 60 s from 10M, 10 s from 1M,
 * else 3 s).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchResult, type Figure, type RunOptions, progress, stamp } from './lib.ts';
import { type Baseline, checkoutBaseline } from './support/baseline.ts';
import { type Footprint, diskFigure, stopAndMeasure } from './support/disk-usage.ts';
import { startExplorerProcess } from './support/explorer-process.ts';
import { watchFill } from './support/fill-watch.ts';
import { type FillRates, fillRates } from './support/fill-windows.ts';
import type { FillWorkerData, FillWorkerResult } from './support/fill-worker.ts';
import { SPANS_PER_TRACE } from './support/otlp-bodies.ts';
import { EXPORTERS, INFLIGHT, type Senders, TRACES_PER_REQUEST, budgetCounters, startSenders } from './support/sender-threads.ts';

const TARGET_KEEP = 0.8;
const TARGET_MIB = 500;
const FULL_SPANS = 10_000_000;
const RUN_ALL_SPANS = 1_000_000;
const QUICK_SPANS = 150_000;
const SPANS_PER_REQUEST = TRACES_PER_REQUEST * SPANS_PER_TRACE;

export interface FillPlan {
  spans: number;
  /** ceil(spans / 512): what the senders send; acknowledged spans = requests × 512 ≥ spans. */
  requests: number;
  windowMs: number;
  why: string;
}

/** N and the window length for this run (see the file comment). */
export function fillPlan(quick: boolean, named: boolean, env: NodeJS.ProcessEnv = process.env): FillPlan {
  const raw = env.BENCH_FILL_SPANS;
  let spans: number;
  let why: string;
  if (raw !== undefined && raw !== '') {
    spans = Number(raw);
    if (!Number.isSafeInteger(spans) || spans < 1) throw new RangeError(`BENCH_FILL_SPANS must be a positive integer, got ${JSON.stringify(raw)}`);
    why = 'BENCH_FILL_SPANS';
  } else if (quick) [spans, why] = [QUICK_SPANS, '--quick'];
  else if (named) [spans, why] = [FULL_SPANS, "named on the command line: the target's 10M fill"];
  else [spans, why] = [RUN_ALL_SPANS, 'part of a whole `npm run bench`; the 10M fill (15-40 min for both explorers here) runs when named: npm run bench explorer-fill'];
  const windowMs = spans >= FULL_SPANS ? 60_000 : spans >= RUN_ALL_SPANS ? 10_000 : 3_000;
  return { spans, requests: Math.ceil(spans / SPANS_PER_REQUEST), windowMs, why };
}

const size = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const windowName = (ms: number): string => (ms === 60_000 ? 'minute' : `${ms / 1000} s`);
const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;

interface Filled {
  rates: FillRates;
  acked: number;
  peakMiB: number;
  disk: Footprint;
  refused: number;
  failed: number;
  firstError?: string;
}

/** Fills a fresh explorer (`bin`: the baseline checkout's; default this one) and measures it. */
async function fill(plan: FillPlan, label: string, bin?: string): Promise<Filled> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-fill-'));
  const explorer = await startExplorerProcess(dataDir, [], bin);
  const counters = budgetCounters();
  progress(`explorer-fill: ${label}: filling to ${plan.spans.toLocaleString('en')} spans (progress every 10 s)`);
  let senders: Senders<FillWorkerResult> | undefined;
  try {
    senders = await startSenders<FillWorkerResult>('./fill-worker.ts', EXPORTERS, (i): FillWorkerData => ({
      host: '127.0.0.1', port: explorer.httpPort, sender: 32 + i, tracesPerRequest: TRACES_PER_REQUEST, inflight: INFLIGHT, requests: plan.requests, counters,
    }));
    const watch = watchFill(explorer, new Int32Array(counters), SPANS_PER_REQUEST, plan.requests * SPANS_PER_REQUEST, label);
    const results = await Promise.race([senders.results, watch.stalled]).finally(() => watch.stop());
    const cpu = [...watch.samples, { t: Date.now(), cpu: explorer.cpuSeconds() }];
    const peakMiB = explorer.peakRssMiB();
    const disk = await stopAndMeasure(explorer, dataDir);
    const ackTimes = results.flatMap((r) => r.ackTimes).sort((a, b) => a - b);
    const perAck = results[0]?.spansPerRequest ?? SPANS_PER_REQUEST;
    const firstError = results.find((r) => r.firstError)?.firstError;
    const rates = fillRates(ackTimes, perAck, senders.startAt, plan.windowMs, cpu);
    progress(`explorer-fill: ${label}: ${(rates.durationMs / 1000).toFixed(0)} s, ${k(rates.firstRate)} -> ${k(rates.lastRate)} spans/s (x${rates.keep.toFixed(2)}), ${disk.bytesPerSpan.toFixed(0)} bytes/span`);
    return {
      rates,
      acked: ackTimes.length * perAck,
      peakMiB,
      disk,
      refused: results.reduce((n, r) => n + r.refused, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      ...(firstError ? { firstError } : {}),
    };
  } finally {
    await senders?.terminate();
    await explorer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const vs = (now: number, before: number | undefined): Pick<Figure, 'baseline' | 'ratio'> =>
  before === undefined || !Number.isFinite(before) || before === 0 ? {} : { baseline: before, ratio: now / before };

function keepFigure(head: string, w: string, m: Filled, b: Filled | undefined, against: string): Figure {
  const r = m.rates;
  const notes = [
    `${k(r.firstRate)} -> ${k(r.lastRate)} spans/s acked`,
    `per explorer CPU-second ${k(r.firstPerCpu)} -> ${k(r.lastPerCpu)} (x${(r.lastPerCpu / r.firstPerCpu).toFixed(2)})`,
    `fill took ${(r.durationMs / 1000).toFixed(0)} s`,
  ];
  if (r.overlap) notes.push('the fill was shorter than two windows: they overlap');
  if (r.keep < TARGET_KEEP) notes.push(`${((TARGET_KEEP - r.keep) * 100).toFixed(1)} points below`);
  if (b) notes.push(`baseline ${against}: ${k(b.rates.firstRate)} -> ${k(b.rates.lastRate)} spans/s, per CPU-second x${(b.rates.lastPerCpu / b.rates.firstPerCpu).toFixed(2)}`);
  return {
    case: `${head}, last ${w} / first ${w} (acked spans/s)`,
    value: r.keep,
    unit: 'x',
    ...vs(r.keep, b?.rates.keep),
    target: `>= ${TARGET_KEEP} (last ${w} >= 80% of the first)`,
    met: r.keep >= TARGET_KEEP,
    note: notes.join('; '),
  };
}

function fillFigures(plan: FillPlan, m: Filled, b: Filled | undefined, baseline: Baseline | undefined): Figure[] {
  const head = `fill to ${size(plan.spans)} spans, OTLP/HTTP protobuf`;
  const w = windowName(m.rates.windowMs);
  const against = baseline ? `${baseline.ref} (${baseline.sha.slice(0, 7)}), same run, filled first` : '';
  const stored = m.disk.spans >= m.acked ? 'yes' : 'NO';
  return [
    { case: `${head}, acked spans/s, first ${w}`, value: m.rates.firstRate, unit: 'spans/s', ...vs(m.rates.firstRate, b?.rates.firstRate) },
    { case: `${head}, acked spans/s, last ${w}`, value: m.rates.lastRate, unit: 'spans/s', ...vs(m.rates.lastRate, b?.rates.lastRate) },
    keepFigure(head, w, m, b, against),
    {
      case: `${head}, acked spans/s, whole fill`,
      value: m.rates.wholeRate,
      unit: 'spans/s',
      ...vs(m.rates.wholeRate, b?.rates.wholeRate),
      note: `${m.acked} spans acked in ${(m.rates.durationMs / 1000).toFixed(0)} s; ${m.refused} refused (429/503, retried), ${m.failed} failed; stored ${m.disk.spans} >= acked: ${stored}`,
    },
    {
      case: `${head}, explorer peak RSS`,
      value: m.peakMiB,
      unit: 'MiB',
      ...vs(m.peakMiB, b?.peakMiB),
      target: `< ${TARGET_MIB} MiB`,
      met: m.peakMiB < TARGET_MIB,
      ...(m.peakMiB < TARGET_MIB ? {} : { note: `${(m.peakMiB - TARGET_MIB).toFixed(0)} MiB over` }),
    },
    diskFigure(`${head}, disk per stored span at the end`, m.disk, b?.disk, baseline ? against : undefined),
  ];
}

export async function run(quick: boolean, options: RunOptions = {}): Promise<BenchResult> {
  const plan = fillPlan(quick, options.named ?? false);
  const baseline = options.baselineRef ? checkoutBaseline(options.baselineRef) : undefined;
  progress(`explorer-fill: ${plan.spans.toLocaleString('en')} spans per explorer, ${windowName(plan.windowMs)} windows (${plan.why})`);
  let b: Filled | undefined;
  if (baseline) b = await fill(plan, `baseline ${baseline.ref}`, baseline.bin);
  const m = await fill(plan, 'this explorer');
  const detail = (f: Filled) => ({ ...f, rates: { ...f.rates, series: f.rates.series.map(Math.round) } });
  return {
    name: 'explorer-fill',
    title: `Explorer fill to ${size(plan.spans)} spans: acked spans/s in the first and last ${windowName(plan.windowMs)}, memory, disk per span`,
    ...stamp(),
    quick,
    parameters: {
      spans: plan.spans,
      requests: plan.requests,
      windowMs: plan.windowMs,
      why: plan.why,
      exporters: EXPORTERS,
      inflightPerExporter: INFLIGHT,
      spansPerRequest: SPANS_PER_REQUEST,
      protocol: 'OTLP/HTTP protobuf, pre-encoded requests with fresh trace ids (as explorer-ingest)',
      windows: 'from the senders\' acknowledgement times: first = [start, start + window), last = (last ack - window, last ack]; series = spans/s per consecutive window',
      disk: 'bytes of the data directory after the explorer stopped cleanly (WAL checkpointed) / spans stored (/api/tw/status spans)',
      detail: detail(m),
      baseline: baseline && b ? { ref: baseline.ref, sha: baseline.sha, order: 'baseline explorer filled first, then this one', detail: detail(b) } : 'none',
    },
    figures: fillFigures(plan, m, b, baseline),
  };
}
