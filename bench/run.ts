/**
 * `npm run bench [-- --quick] [names...]`: runs the benchmarks, writes
 * bench/results/<name>.json each, and prints one table.
 */
import { type BenchResult, type RunOptions, progress, table, writeResult } from './lib.ts';
import { defaultBaselineRef } from './support/baseline.ts';

type Bench = { run(quick: boolean, options: RunOptions): Promise<BenchResult> };
const BENCHES: Record<string, () => Promise<Bench>> = {
  'span-cost': () => import('./span-cost.ts'),
  'service-overhead': () => import('./service-overhead.ts'),
  'explorer-ingest': () => import('./explorer-ingest.ts'),
  'explorer-fill': () => import('./explorer-fill.ts'),
  'explorer-queries': () => import('./explorer-queries.ts'),
  completeness: () => import('./completeness.ts'),
  'ui-big-trace': () => import('./ui-big-trace.ts'),
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--quick' && !/^--baseline=\S+$/.test(a));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown option ${unknown.join(', ')} (known: --quick, --baseline=<git ref>|none)\n`);
  process.exit(2);
}
// The explorer benches also run this commit's explorer in the same run: "no worse than before" as a ratio.
const baselineArg = args.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length) ?? defaultBaselineRef();
const options: RunOptions = baselineArg === 'none' ? {} : { baselineRef: baselineArg };
const wanted = args.filter((a) => !a.startsWith('--'));
const missing = wanted.filter((w) => !(w in BENCHES));
if (missing.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${missing.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})\n`);
  process.exit(2);
}

const results: BenchResult[] = [];
const failed: string[] = [];
const runStarted = Date.now();
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  const started = Date.now();
  progress(`${name}: starting${quick ? ' (quick)' : ''}`);
  // One failing bench (a broker gone away on a shared machine) must not lose the others' results.
  try {
    const bench = await BENCHES[name]!();
    const result = await bench.run(quick, { ...options, named: wanted.includes(name) });
    progress(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${writeResult(result)}`);
    results.push(result);
  } catch (error) {
    failed.push(name);
    progress(`${name}: FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
progress(`all done in ${((Date.now() - runStarted) / 1000).toFixed(0)} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
const m = results[0]?.machine;
process.stdout.write(`\nTracewire benchmarks, ${new Date().toISOString().slice(0, 10)}, ${String(m?.cpus)} x ${String(m?.cpuModel)}, Node ${String(m?.node)}${quick ? ' (quick)' : ''}\n\n${table(results)}\n`);
process.exit(failed.length ? 1 : 0);
