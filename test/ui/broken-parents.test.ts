/**
 * Spans whose parent ids make no tree (a span that is its own parent, a
 * parent loop A -> B -> A) arrive over real OTLP at a real explorer process
 * and are shown everywhere a trace is read: /api/tw/traces/{id}, the Jaeger
 * /api/traces/{id}, `tracewire trace <id>` and the web UI, as roots marked
 * with the reason, never as an error.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { hex, otlpJson, postJson } from '../explorer/helpers.ts';
import { type ExplorerProcess, runCli, startExplorerProcess, waitExit } from '../explorer/process.ts';

const CHROMIUM = '/usr/bin/chromium';
const SELF_TRACE = hex(0x5e1f, 32);
const LOOP_TRACE = hex(0x100b, 32);
const nowNs = BigInt(Date.now() - 60_000) * 1_000_000n;

function otlpSpan(traceId: string, spanId: string, parentSpanId: string, name: string, startMs: number, endMs: number): Record<string, unknown> {
  return {
    traceId, spanId, parentSpanId, name, kind: 1,
    startTimeUnixNano: String(nowNs + BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(nowNs + BigInt(endMs) * 1_000_000n),
  };
}

let dataDir: string;
let ex: ExplorerProcess;
let browser: Browser | undefined;

before(async () => {
  if (!existsSync('packages/explorer/dist/ui/index.html')) {
    execFileSync('npm', ['run', 'build:ui', '-w', 'packages/explorer', '--silent'], { stdio: 'ignore' });
  }
  dataDir = await mkdtemp(join(tmpdir(), 'tw-broken-'));
  ex = await startExplorerProcess(dataDir);
  const spans = [
    otlpSpan(SELF_TRACE, hex(1, 16), hex(1, 16), 'i am my own parent', 0, 100),
    otlpSpan(SELF_TRACE, hex(2, 16), hex(1, 16), 'child of the self-parent', 10, 40),
    otlpSpan(LOOP_TRACE, hex(3, 16), hex(4, 16), 'loop a', 0, 100),
    otlpSpan(LOOP_TRACE, hex(4, 16), hex(3, 16), 'loop b', 20, 60),
  ];
  const res = await postJson(ex.httpPort, otlpJson(spans, 'broken'));
  assert.equal(res.status, 200, await res.text());
});
after(async () => {
  await browser?.close();
  ex.child.kill('SIGTERM');
  await waitExit(ex.child);
  await rm(dataDir, { recursive: true, force: true });
});

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${ex.url}${path}`);
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status !== 404 || Date.now() > deadline) return { status: res.status, body };
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a span that is its own parent, and a parent loop', () => {
  it('/api/tw/traces/{id} answers 200 with every span and a critical path', async () => {
    for (const [traceId, count] of [[SELF_TRACE, 2], [LOOP_TRACE, 2]] as const) {
      const { status, body } = await getJson(`/api/tw/traces/${traceId}`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal((body.spans as unknown[]).length, count);
      assert.equal((body.summary as { depth: number }).depth, 2);
      assert.ok((body.criticalPath as string[]).length > 0);
    }
  });

  it('/api/traces/{id} (Jaeger) answers 200 with the parent ids as they came', async () => {
    const { status, body } = await getJson(`/api/traces/${SELF_TRACE}`);
    assert.equal(status, 200, JSON.stringify(body));
    const spans = (body.data as Array<{ spans: Array<{ spanID: string; references: Array<{ refType: string; spanID: string }> }> }>)[0]?.spans ?? [];
    assert.deepEqual(spans.find((s) => s.spanID === hex(1, 16))?.references, [{ refType: 'CHILD_OF', traceID: SELF_TRACE, spanID: hex(1, 16) }]);
  });

  it('`tracewire trace <id>` prints the spans and marks why a span is a root', async () => {
    const self = await runCli(['trace', SELF_TRACE, '--api', ex.url]);
    assert.equal(self.code, 0, self.stderr);
    assert.match(self.stdout, /broken {2}i am my own parent .*\(self-parent\)/);
    assert.match(self.stdout, /└─ broken {2}child of the self-parent/);
    const loop = await runCli(['trace', LOOP_TRACE, '--api', ex.url]);
    assert.equal(loop.code, 0, loop.stderr);
    assert.match(loop.stdout, /broken {2}loop a .*\(cycle\)/);
    assert.match(loop.stdout, /└─ broken {2}loop b/);
  });

  it('the trace page shows every span, the cut point marked, and no error', async () => {
    assert.ok(existsSync(CHROMIUM), 'chromium is missing: run `bash scripts/setup.sh --browser`');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const [traceId, reason] of [[SELF_TRACE, 'self-parent'], [LOOP_TRACE, 'cycle']] as const) {
      await page.goto(`${ex.url}/trace/${traceId}`);
      await page.locator('.tw-row').nth(1).waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('.tw-row').count(), 2);
      assert.equal(await page.locator(`.tw-row [data-orphan="${reason}"]`).count(), 1);
      assert.equal(await page.locator('[role="alert"]').count(), 0);
    }
    assert.deepEqual(errors, []);
  });
});
