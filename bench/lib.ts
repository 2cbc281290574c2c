/**
 * Benchmark plumbing: timing with interleaved rounds (so drift on a shared
 * machine hits baseline and candidate alike), machine facts, and results as
 * JSON plus a readable table. Benchmarks never assert: they report.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');

export interface Figure {
  case: string;
  value: number;
  unit: string;
  /** Baseline measured in the same run, when the figure is a comparison. */
  baseline?: number;
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
}

/** What `npm run bench` passes every benchmark besides --quick. */
export interface RunOptions {
  /** A git ref whose explorer runs beside the current one (`--baseline=<ref>`, default bench/baseline.json); absent = none. */
  baselineRef?: string;
  /** The bench was named on the command line (`npm run bench <name>`): it may then run its long form (explorer-fill: 10M spans). */
  named?: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  date: string;
  quick: boolean;
  machine: Record<string, unknown>;
  versions: Record<string, string>;
  parameters: Record<string, unknown>;
  figures: Figure[];
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export function versions(): Record<string, string> {
  const read = (pkg: string): string => {
    try {
      const file = path.join(BENCH_DIR, '..', 'node_modules', pkg, 'package.json');
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'n/a';
    }
  };
  let commit = 'n/a';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: BENCH_DIR }).toString().trim();
  } catch {
    // not a git checkout
  }
  return {
    commit,
    '@opentelemetry/sdk-trace-base': read('@opentelemetry/sdk-trace-base'),
    '@opentelemetry/api': read('@opentelemetry/api'),
    '@grpc/grpc-js': read('@grpc/grpc-js'),
    '@platformatic/kafka': read('@platformatic/kafka'),
    amqplib: read('amqplib'),
    'better-sqlite3': read('better-sqlite3'),
  };
}

/** When, where and with what a result was measured: the common head of every BenchResult. */
export function stamp(): Pick<BenchResult, 'date' | 'machine' | 'versions'> {
  return { date: new Date().toISOString(), machine: machine(), versions: versions() };
}

/** Nanoseconds per call of `fn`, over `iterations` calls. */
export function nsPerOp(fn: () => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Runs baseline and candidate alternately for `rounds` rounds after a warm-up
 * and returns the median ns/op of each.
 */
export function compare(
  baseline: () => unknown,
  candidate: () => unknown,
  { iterations, rounds }: { iterations: number; rounds: number },
): { baseline: number; candidate: number; ratio: number } {
  nsPerOp(baseline, iterations);
  nsPerOp(candidate, iterations);
  const b: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < rounds; r++) {
    b.push(nsPerOp(baseline, iterations));
    c.push(nsPerOp(candidate, iterations));
  }
  const base = median(b);
  const cand = median(c);
  return { baseline: base, candidate: cand, ratio: cand / base };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

/** Where results go: `BENCH_RESULTS_DIR` (the smoke test's temp dir) or bench/results. */
export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR || RESULTS_DIR;
}

export function writeResult(result: BenchResult): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const fmt = (n: number | undefined): string =>
  n === undefined || Number.isNaN(n) ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

/** A Markdown table of every figure, also valid to paste into the README. */
export function table(results: BenchResult[]): string {
  const rows = ['| bench | case | value | baseline | ratio | target | met |', '| --- | --- | ---: | ---: | ---: | --- | --- |'];
  for (const r of results) {
    for (const f of r.figures) {
      // Figures without a target still show their note (e.g. what a ratio means); met ones keep the table short.
      const met = f.met === undefined ? (f.note ? `(${f.note})` : '') : f.met ? 'yes' : `**no**${f.note ? ` (${f.note})` : ''}`;
      rows.push(
        `| ${r.name} | ${f.case} | ${fmt(f.value)} ${f.unit} | ${f.baseline === undefined ? '' : `${fmt(f.baseline)} ${f.unit}`} | ${f.ratio === undefined ? '' : f.ratio.toFixed(3)} | ${f.target ?? ''} | ${met} |`,
      );
    }
  }
  return rows.join('\n');
}

/** Progress on stderr, so long runs show they are alive without polluting results. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
