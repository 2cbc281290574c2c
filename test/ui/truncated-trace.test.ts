/**
 * A trace above the explorer's span bound (100,000, MAX_TRACE_SPANS in
 * src/query/trace-view.ts), sent over real OTLP to a real explorer process
 * as one chain 100,010 spans deep: every reader gets the first 100,000 spans
 * and a clear marker, and nothing freezes (the old depth walk was quadratic:
 * minutes for this chain). The store refuses spans past its own per-trace
 * cap (also 100,000 by default, test/explorer/store-limits.test.ts); the read
 * bound is what protects readers of a store without that cap (OpenSearch, a
 * raised TRACEWIRE_MAX_SPANS_PER_TRACE, files written before the cap), so
 * this explorer runs with the cap raised.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { hex, otlpJson, postJson } from '../explorer/helpers.ts';
import { type ExplorerProcess, runCli, startExplorerProcess, waitExit } from '../explorer/process.ts';

const CHROMIUM = '/usr/bin/chromium';
const TRACE = hex(0xb16, 32);
const SPANS = 100_010;
const BOUND = 100_000;
const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;

let dataDir: string;
let ex: ExplorerProcess;

before(async () => {
  if (!existsSync('packages/explorer/dist/ui/index.html')) {
    execFileSync('npm', ['run', 'build:ui', '-w', 'packages/explorer', '--silent'], { stdio: 'ignore' });
  }
  dataDir = await mkdtemp(join(tmpdir(), 'tw-big-'));
  process.env.TRACEWIRE_MAX_SPANS_PER_TRACE = String(2 * SPANS);
  ex = await startExplorerProcess(dataDir);
  delete process.env.TRACEWIRE_MAX_SPANS_PER_TRACE;
  // s1 <- s2 <- ... : each span starts 1 µs after its parent and ends 1 µs before it.
  for (let from = 0; from < SPANS; from += 10_000) {
    const batch = [];
    for (let i = from; i < Math.min(SPANS, from + 10_000); i++) {
      batch.push({
        traceId: TRACE, spanId: hex(i + 1, 16), parentSpanId: i === 0 ? '' : hex(i, 16), name: 'step', kind: 1,
        startTimeUnixNano: String(t0 + BigInt(i) * 1000n), endTimeUnixNano: String(t0 + BigInt(2 * SPANS - i) * 1000n),
      });
    }
    const res = await postJson(ex.httpPort, otlpJson(batch, 'deep'));
    const answer = await res.text();
    assert.equal(res.status, 200, answer);
    assert.ok(!answer.includes('rejectedSpans'), `every span stored: ${answer}`);
  }
});
after(async () => {
  ex.child.kill('SIGTERM');
  await waitExit(ex.child);
  await rm(dataDir, { recursive: true, force: true });
});

async function view(): Promise<{ spans: unknown[]; truncated?: { spanCount: number; servedSpans: number }; summary: { depth: number } }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${ex.url}/api/tw/traces/${TRACE}`);
    const body = (await res.json()) as Awaited<ReturnType<typeof view>>;
    if ((res.ok && body.truncated?.spanCount === SPANS) || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a trace above the span bound', () => {
  it('/api/tw/traces/{id} serves the first 100,000 spans with a truncated marker', async () => {
    const body = await view();
    assert.deepEqual(body.truncated, { spanCount: SPANS, servedSpans: BOUND });
    assert.equal(body.spans.length, BOUND);
    assert.equal(body.summary.depth, BOUND);
  });

  it('/api/traces/{id} (Jaeger) says so in the trace warnings', async () => {
    const res = await fetch(`${ex.url}/api/traces/${TRACE}`);
    const body = (await res.json()) as { data: Array<{ spans: unknown[]; warnings: string[] | null }> };
    assert.equal(body.data[0]?.spans.length, BOUND);
    assert.match(body.data[0]?.warnings?.[0] ?? '', /trace truncated: showing the first 100000 of 100010 spans/);
  });

  it('`tracewire trace <id>` prints the marker under its header', async () => {
    const r = await runCli(['trace', TRACE, '--api', ex.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[2], 'truncated: showing the first 100000 of 100010 spans');
  });

  it('the trace page shows the marker', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${ex.url}/trace/${TRACE}`);
      const notice = page.locator('.tw-truncated');
      await notice.waitFor({ timeout: 60_000 });
      assert.match(await notice.innerText(), /This trace has 100,010 spans: showing the first 100,000 by start time/);
    } finally {
      await browser.close();
    }
  });
});
