/**
 * `node --import tsx bench/support/profile-top.ts <file.cpuprofile> [n]`:
 * the top frames of a V8 CPU profile (`node --cpu-prof`) by self time, and
 * self time per source file, for docs/performance.md. Run a bench with
 * `BENCH_CPU_PROF=<dir>` to profile the explorer it starts.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, nArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-top.ts <file.cpuprofile> [n]\n');
  process.exit(2);
}
const n = Number(nArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const short = (url: string): string => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm/').replace(/^.*\/work\/main\//, '');
const frames = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of selfUs) {
  const cf = byId.get(id)?.callFrame;
  if (!cf) continue;
  const where = cf.url ? `${short(cf.url)}:${cf.lineNumber + 1}` : '(native)';
  const key = `${cf.functionName || '(anonymous)'}  ${where}`;
  frames.set(key, (frames.get(key) ?? 0) + us);
  const f = cf.url ? short(cf.url) : cf.functionName.startsWith('(') ? cf.functionName : '(native)';
  files.set(f, (files.get(f) ?? 0) + us);
}
const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nTop frames by self time:\n`);
for (const [k, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(us)}  ${k}\n`);
process.stdout.write('\nSelf time by file:\n');
for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(us)}  ${k}\n`);
