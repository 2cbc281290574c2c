/**
 * `node --import tsx bench/print-table.ts`: the table of the results in
 * bench/results (or BENCH_RESULTS_DIR), with each run's date and machine,
 * for pasting into the README after `npm run bench`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type BenchResult, resultsDir, table } from './lib.ts';

const ORDER = ['span-cost', 'service-overhead', 'explorer-ingest', 'explorer-fill', 'explorer-queries', 'completeness', 'ui-big-trace'];
const dir = resultsDir();
const results = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.trace.json')) // not the Chromium performance trace ui-big-trace keeps beside its result
  .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as BenchResult)
  .sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
const m = results[0]?.machine ?? {};
/** Each bench is run on its own commit when it is re-run alone: name each one's. */
function commits(rs: BenchResult[]): string {
  const of = new Map<string, string[]>();
  for (const r of rs) of.set(r.versions.commit ?? '?', [...(of.get(r.versions.commit ?? '?') ?? []), r.name]);
  if (of.size === 1) return `commit ${[...of.keys()][0]}`;
  return `commits ${[...of].map(([c, names]) => `${c} (${names.join(', ')})`).join(', ')}`;
}
const dates = results.map((r) => r.date.slice(0, 16).replace('T', ' '));
process.stdout.write(
  `Run ${dates.sort()[0]}–${dates.sort().at(-1)} UTC${results.some((r) => r.quick) ? ' (includes --quick results)' : ''}, ${commits(results)}; ` +
    `${String(m.cpus)} x ${String(m.cpuModel)}, ${String(m.memoryGiB)} GiB, ${String(m.os)}, Node ${String(m.node)}\n\n${table(results)}\n`,
);
