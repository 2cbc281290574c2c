/**
 * The benchmarks still run: `bench/run.ts --quick` (what `npm run bench --
 * --quick` runs after setup and brokers, which `npm test` has already done)
 * exits 0 (without the in-run baseline explorer, which only doubles the time), prints its table and writes one valid result file per benchmark.
 * No timing assertions: figures are reported, never judged, in `npm test`.
 * Results go to a temp dir so the committed bench/results stay the full run's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCHES = ['span-cost', 'service-overhead', 'explorer-ingest', 'explorer-queries', 'completeness', 'ui-big-trace'];

const Figure = z.object({
  case: z.string().min(1),
  value: z.number().refine(Number.isFinite, 'finite'),
  unit: z.string().min(1),
  baseline: z.number().optional(),
  ratio: z.number().optional(),
  target: z.string().optional(),
  met: z.boolean().optional(),
  note: z.string().optional(),
});
const Result = z.object({
  name: z.string(),
  title: z.string(),
  date: z.string().refine((d) => !Number.isNaN(Date.parse(d)), 'ISO date'),
  quick: z.literal(true),
  machine: z.object({ cpus: z.number().int().positive(), cpuModel: z.string(), node: z.string() }).passthrough(),
  versions: z.record(z.string(), z.string()),
  parameters: z.record(z.string(), z.unknown()),
  figures: z.array(Figure).min(1),
});

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-smoke-'));
after(() => fs.rmSync(outDir, { recursive: true, force: true }));

function runBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/run.ts'), '--quick', '--baseline=none'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_RESULTS_DIR: outDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: on timeout the shops and explorers it started are signalled too.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGTERM'), 170_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('benchmarks (smoke)', () => {
  it('bench --quick runs every benchmark and writes valid results', { timeout: 180_000 }, async () => {
    const { code, stdout, stderr } = await runBench();
    assert.equal(code, 0, `bench exited with ${code}\n${stderr.slice(-3000)}`);
    assert.match(stdout, /\| bench \| case \| value \|/, 'prints the Markdown table');
    const files = fs.readdirSync(outDir).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, BENCHES.map((b) => `${b}.json`).sort());
    for (const file of files) {
      const parsed = Result.safeParse(JSON.parse(fs.readFileSync(path.join(outDir, file), 'utf8')));
      assert.ok(parsed.success, `${file}: ${parsed.success ? '' : parsed.error.message}`);
      assert.equal(parsed.data.name, file.replace(/\.json$/, ''));
      for (const f of parsed.data.figures) {
        if (f.met === false) assert.ok(f.note, `${file}: "${f.case}" misses its target, so it says by how much`);
      }
    }
  });
});
