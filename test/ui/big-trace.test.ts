/**
 * A deep, big trace in headless Chromium against a real explorer: 20,000
 * spans, a chain 1,900 levels deep with leaves hanging off every level.
 * Indentation stops at MAX_INDENT_LEVELS and deeper rows show their depth as
 * a number, so every span name stays on screen; collapsing a subtree of over
 * 10,000 spans hides exactly those rows. (How fast 100,000 spans open and
 * scroll is measured, not asserted: bench/ui-big-trace.ts.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { MAX_INDENT_LEVELS } from '../../packages/explorer/src/ui/lib/trace-tree.ts';
import { hex, otlpJson, postJson, startTestExplorer } from '../explorer/helpers.ts';
import { docShot } from './doc-shots.ts';

const CHROMIUM = '/usr/bin/chromium';
const TRACE = hex(0xdee9, 32);
const SPANS = 20_000;
const DEPTH = 1_900;
type TestExplorer = Awaited<ReturnType<typeof startTestExplorer>>;

/** Chain span i (i < DEPTH) is the child of i - 1; leaf i hangs off chain span i % DEPTH. */
const parentOf = (i: number): number | undefined => (i === 0 ? undefined : i < DEPTH ? i - 1 : i % DEPTH);
const idOf = (i: number): string => hex(i + 1, 16);

/** Spans below chain span `c`: the deeper chain spans and every leaf under them. */
function descendantsOf(c: number): number {
  let n = 0;
  for (let i = 0; i < SPANS; i++) {
    let p = parentOf(i);
    while (p !== undefined && p > c) p = parentOf(p);
    if (p === c) n++;
  }
  return n;
}

let ex: TestExplorer;
let browser: Browser;
let page: Page;

before(async () => {
  if (!existsSync('packages/explorer/dist/ui/index.html')) {
    execFileSync('npm', ['run', 'build:ui', '-w', 'packages/explorer', '--silent'], { stdio: 'ignore' });
  }
  ex = await startTestExplorer({});
  const t0 = BigInt(Date.now() - 600_000) * 1_000_000n;
  for (let from = 0; from < SPANS; from += 5_000) {
    const batch = [];
    for (let i = from; i < Math.min(SPANS, from + 5_000); i++) {
      const chain = i < DEPTH;
      const at = chain ? i : i % DEPTH;
      const start = t0 + BigInt(at * 1000 + (chain ? 0 : 500));
      const end = chain ? t0 + BigInt((2 * DEPTH - i) * 1000 + 1_000_000) : start + 300n;
      const p = parentOf(i);
      batch.push({ traceId: TRACE, spanId: idOf(i), parentSpanId: p === undefined ? '' : idOf(p), name: chain ? `step ${i}` : `leaf ${i}`, kind: 1, startTimeUnixNano: String(start), endTimeUnixNano: String(end) });
    }
    const res = await postJson(ex.httpPort, otlpJson(batch, 'deep'));
    assert.equal(res.status, 200, await res.text());
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  page.setDefaultTimeout(30_000);
});
after(async () => {
  await browser?.close();
  await ex?.close();
});

describe('a trace 1,900 levels deep', () => {
  it('caps the indentation, shows the depth as a number, and keeps every span name on screen', async () => {
    const deep = 1_500;
    await page.goto(`${ex.url}/trace/${TRACE}?span=${idOf(deep)}`);
    const row = page.locator(`.tw-row[data-span-id="${idOf(deep)}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.tw-depth').innerText(), '1,500');
    const shallow = page.locator(`.tw-row[data-depth="${MAX_INDENT_LEVELS}"]`);
    const indent = (l: typeof row) => l.locator('.tw-row-name').evaluate((el) => getComputedStyle(el).paddingLeft);
    // Rows past the cap indent no further than the cap.
    await page.goto(`${ex.url}/trace/${TRACE}?span=${idOf(MAX_INDENT_LEVELS)}`);
    await shallow.first().waitFor();
    const capped = await indent(shallow.first());
    await page.goto(`${ex.url}/trace/${TRACE}?span=${idOf(deep)}`);
    await row.waitFor();
    assert.equal(await indent(row), capped);
    // The name is inside the name column, visible.
    const name = await row.locator('.tw-row-op').boundingBox();
    const column = await row.locator('.tw-row-name').boundingBox();
    assert.ok(name && column && name.x + 20 < column.x + column.width, `name at ${name?.x} inside the column ending at ${column ? column.x + column.width : '?'}`);
    assert.equal(await row.locator('.tw-row-op').innerText(), `step ${deep}`);
    await docShot(page.locator('.tw-trace'), 'big-trace.png');
  });

  it('collapses a subtree of over 10,000 spans, hiding exactly those rows, and expands it again', async () => {
    const at = 900;
    const hidden = descendantsOf(at);
    assert.ok(hidden > 10_000, `${hidden} spans under step ${at}`);
    await page.goto(`${ex.url}/trace/${TRACE}?span=${idOf(at)}`);
    const row = page.locator(`.tw-row[data-span-id="${idOf(at)}"]`);
    await row.waitFor();
    const grid = page.locator('.tw-wf-scroll');
    const children = page.locator(`.tw-row[data-parent-id="${idOf(at)}"]`);
    await children.first().waitFor();
    assert.equal(await grid.getAttribute('aria-rowcount'), String(SPANS));
    await row.locator('.tw-twisty').click();
    await row.locator('.tw-hidden-count', { hasText: `+${hidden}` }).waitFor();
    assert.equal(await grid.getAttribute('aria-rowcount'), String(SPANS - hidden));
    assert.equal(await children.count(), 0, 'no row of the subtree is left');
    await row.locator('.tw-twisty').click();
    await children.first().waitFor();
    assert.equal(await grid.getAttribute('aria-rowcount'), String(SPANS));
  });
});
