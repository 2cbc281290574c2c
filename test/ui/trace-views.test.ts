/**
 * The trace views past the waterfall, in headless Chromium against a real
 * explorer process: the flame graph (hover, click to zoom and select), the
 * statistics table (sorting, grouping), comparing two traces ticked on the
 * search page, and opening OTLP JSON files that the explorer never stores.
 * Screenshots go to test-results/; with TRACEWIRE_DOC_SHOTS=1 also to
 * docs/img/ for docs/explorer-ui.md.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { hex, postJson } from '../explorer/helpers.ts';
import { type ExplorerProcess, startExplorerProcess, waitExit } from '../explorer/process.ts';
import { TRACE_A, TRACE_B, checkoutRequest } from './checkout-traces.ts';
import { docShot } from './doc-shots.ts';

const CHROMIUM = '/usr/bin/chromium';

let dataDir: string;
let ex: ExplorerProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const shot = (name: string): Promise<void> => docShot(page, name);

async function waitStored(traceId: string, spans: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${ex.url}/api/tw/traces/${traceId}`);
    const body = (await res.json()) as { spans?: unknown[] };
    if (body.spans?.length === spans) return;
    if (Date.now() > deadline) throw new Error(`trace ${traceId} has ${body.spans?.length ?? 0} of ${spans} spans`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  if (!existsSync('packages/explorer/dist/ui/index.html')) {
    execFileSync('npm', ['run', 'build:ui', '-w', 'packages/explorer', '--silent'], { stdio: 'ignore' });
  }
  dataDir = await mkdtemp(join(tmpdir(), 'tw-views-'));
  ex = await startExplorerProcess(dataDir);
  for (const which of ['a', 'b'] as const) {
    const res = await postJson(ex.httpPort, checkoutRequest(which));
    assert.equal(res.status, 200, await res.text());
  }
  await waitStored(TRACE_A, 10);
  await waitStored(TRACE_B, 9);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 620 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
after(async () => {
  await browser?.close();
  ex.child.kill('SIGTERM');
  await waitExit(ex.child);
  await rm(dataDir, { recursive: true, force: true });
});

/** Centre of the flame box on `row` spanning [startMs, endMs] of a view [v0, v1] ms wide. */
async function flamePoint(row: number, startMs: number, endMs: number, v0: number, v1: number): Promise<{ x: number; y: number }> {
  const box = await page.locator('.tw-flame-canvas').boundingBox();
  assert.ok(box, 'the flame graph canvas is on screen');
  return { x: box.x + (((startMs + endMs) / 2 - v0) / (v1 - v0)) * box.width, y: box.y + row * 20 + 10 };
}

describe('trace views past the waterfall', () => {
  it('the flame graph shows the trace, names a span under the pointer, and zooms to and selects the span clicked', async () => {
    await page.goto(`${ex.url}/trace/${TRACE_A}`);
    await page.getByRole('tab', { name: 'Flame graph' }).click();
    await page.locator('.tw-flame-canvas').waitFor();
    // Rows: 0 GET /checkout; 1 auth, load-cart, charge, render; 2 the db and payment children; 3 cache get (concurrent with load-cart).
    assert.match(await page.locator('.tw-flame-toolbar').innerText(), /4 rows/);
    const cache = await flamePoint(3, 20, 28, 0, 120);
    await page.mouse.move(cache.x, cache.y);
    const tip = page.getByRole('tooltip');
    assert.match(await tip.innerText(), /cache get\n8 ms \(6\.7% of the trace\) · self 8 ms/);
    await shot('flame-graph.png');

    const charge = await flamePoint(1, 62, 110, 0, 120);
    await page.mouse.click(charge.x, charge.y);
    assert.match(await page.locator('.tw-flame-zoom').innerText(), /Zoomed to payments: charge \(48 ms\)/);
    assert.equal(await page.locator('.tw-detail h2').innerText(), 'charge');
    assert.match(page.url(), /span=0000000000000a06$/);
    // Zoomed to 62..110 ms: bank authorize (82..108) now fills half the width and names its self time.
    const authorize = await flamePoint(2, 82, 108, 62, 110);
    await page.mouse.move(authorize.x, authorize.y);
    assert.match(await tip.innerText(), /bank authorize\n26 ms .* self 26 ms/);
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    assert.equal(await page.locator('.tw-flame-zoom').count(), 0);

    await page.getByRole('tab', { name: 'Waterfall' }).click();
    assert.match(await page.locator('.tw-row.selected').innerText(), /payments\s*charge/);
  });

  it('the chosen view is in the URL, so a link opens it, and only the waterfall shows its own controls', async () => {
    await page.goto(`${ex.url}/trace/${TRACE_A}`);
    await page.locator('.tw-row').first().waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Critical path' }).count(), 1);
    assert.equal(await page.getByLabel('Find in trace').count(), 1);
    await page.getByRole('tab', { name: 'Statistics' }).click();
    await page.waitForURL(`**/trace/${TRACE_A}?view=stats`);
    assert.equal(await page.getByRole('checkbox', { name: 'Critical path' }).count(), 0);
    assert.equal(await page.getByLabel('Find in trace').count(), 0);

    await page.goto(`${ex.url}/trace/${TRACE_A}?view=flame&span=0000000000000a06`);
    await page.locator('.tw-flame-canvas').waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Flame graph' }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('.tw-detail h2').innerText(), 'charge');
    assert.equal(await page.getByRole('checkbox', { name: 'Critical path' }).count(), 0);
    assert.equal(await page.getByLabel('Find in trace').count(), 0);
    // Closing the span keeps the view.
    await page.keyboard.press('Escape');
    await page.waitForURL(`**/trace/${TRACE_A}?view=flame`);
    await page.getByRole('tab', { name: 'Waterfall' }).click();
    await page.waitForURL(`**/trace/${TRACE_A}`);
    await page.getByLabel('Find in trace').waitFor();
  });

  it('the statistics table counts spans, errors and self time per operation and per service, sortable by any column', async () => {
    await page.goto(`${ex.url}/trace/${TRACE_B}`);
    await page.getByRole('tab', { name: 'Statistics' }).click();
    const rows = page.locator('.tw-stats-table tbody tr');
    await rows.first().waitFor();
    const cells = async (): Promise<string[][]> => Promise.all((await rows.all()).map(async (r) => (await r.locator('td').allInnerTexts()).map((t) => t.trim())));
    // Sorted by self time: SELECT cart ran 126 ms without children; GET /checkout's own time is what its children left.
    const first = (await cells())[0];
    assert.deepEqual(first?.slice(0, 8), ['db', 'SELECT cart', '1', '1', '126 ms', '126 ms', '126 ms', '126 ms']);
    assert.equal(await rows.count(), 9);
    await page.locator('th', { hasText: 'Operation' }).getByRole('button').click();
    assert.deepEqual((await cells()).map((r) => r[1]), ['GET /checkout', 'SELECT cart', 'audit', 'auth', 'authorize', 'charge', 'fraud-check', 'load-cart', 'render']);
    await page.getByRole('group', { name: 'Group by' }).getByRole('button', { name: 'Service' }).click();
    assert.deepEqual((await cells()).map((r) => r[0]).sort(), ['api', 'bank', 'db', 'payments', 'web']);
    await page.locator('th', { hasText: 'Spans' }).getByRole('button').click();
    assert.deepEqual((await cells()).map((r) => [r[0], r[1]]).slice(0, 2), [['web', '3'], ['api', '2']]);
    assert.equal(await page.locator('th[aria-sort="descending"]').innerText(), 'Spans ▼');
    await shot('trace-statistics.png');
  });

  it('two traces ticked on the search page compare by structure and duration', async () => {
    await page.goto(`${ex.url}/search?service=web&lookback=1h`);
    await page.locator(`li[data-trace-id="${TRACE_A}"] input[type=checkbox]`).check();
    await page.locator(`li[data-trace-id="${TRACE_B}"] input[type=checkbox]`).check();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.waitForURL(`**/compare?a=${TRACE_A}&b=${TRACE_B}`);
    await page.locator('.tw-diff-table tbody tr').first().waitFor();
    const counts = await page.locator('.tw-diff-counts').innerText();
    assert.match(counts.replace(/\s+/g, ' '), /1 added 2 missing 3 slower 1 faster 4 same/);
    const status = async (name: string): Promise<string> =>
      (await page.locator('.tw-diff-table tbody tr', { has: page.locator('.tw-stats-op', { hasText: new RegExp(`^${name}$`) }) }).getAttribute('data-status')) ?? '';
    assert.equal(await status('load-cart'), 'slower');
    assert.equal(await status('SELECT prices'), 'missing');
    assert.equal(await status('get'), 'missing');
    assert.equal(await status('audit'), 'added');
    assert.equal(await status('render'), 'faster');
    assert.equal(await status('charge'), 'same');
    const loadCart = page.locator('.tw-diff-table tbody tr[data-status="slower"]', { hasText: 'load-cart' });
    assert.deepEqual((await loadCart.locator('td.num').allInnerTexts()).map((t) => t.trim()), ['48 ms', '138 ms', '+90 ms (+188%)']);
    await shot('compare.png');
    await page.getByLabel('Only changes').check();
    assert.equal(await page.locator('.tw-diff-table tbody tr[data-status="same"]').count(), 0);
    assert.equal(await page.locator('.tw-diff-table tbody tr').count(), 7);
  });

  it('an OTLP JSON file opens in the browser and is never stored; a bad file shows why', async () => {
    // The download button's file, under a trace id the explorer has never seen.
    const download = await (await fetch(`${ex.url}/api/tw/traces/${TRACE_A}/otlp`)).text();
    const fileId = hex(0xf11e, 32);
    const dir = await mkdtemp(join(tmpdir(), 'tw-file-'));
    const file = join(dir, 'checkout.json');
    await writeFile(file, download.replaceAll(TRACE_A, fileId));
    try {
      await page.goto(`${ex.url}/open`);
      await page.getByLabel('OTLP JSON file').setInputFiles(file);
      await page.waitForURL(`**/trace/${fileId}`);
      assert.match(await page.locator('.tw-from-file').innerText(), /Opened from checkout\.json: not stored in the explorer/);
      await page.locator('.tw-row').nth(9).waitFor();
      assert.equal(await page.locator('.tw-row').count(), 10);
      assert.equal(await page.getByText('Download OTLP JSON').count(), 0);
      assert.equal((await fetch(`${ex.url}/api/tw/traces/${fileId}`)).status, 404, 'the explorer never saw it');

      // A Collector file-exporter file: one request per line, two traces.
      const lines = [checkoutRequest('a', hex(0xc01, 32)), checkoutRequest('b', hex(0xc02, 32))].map((r) => JSON.stringify(r)).join('\n');
      await writeFile(join(dir, 'collector.jsonl'), `${lines}\n`);
      await page.goto(`${ex.url}/open`);
      await page.getByLabel('OTLP JSON file').setInputFiles(join(dir, 'collector.jsonl'));
      assert.match(await page.locator('.tw-open h2').innerText(), /2 traces in collector\.jsonl/);
      await shot('open-file.png');
      await page.locator('.tw-open .tw-result-link').nth(1).click();
      await page.waitForURL(`**/trace/${hex(0xc02, 32)}`);
      await page.locator('.tw-row').nth(8).waitFor();

      await writeFile(join(dir, 'broken.json'), '{"resourceSpans": [{"scopeSpans": ');
      await page.goto(`${ex.url}/open`);
      await page.getByLabel('OTLP JSON file').setInputFiles(join(dir, 'broken.json'));
      assert.match(await page.getByRole('alert').innerText(), /^broken\.json: This file is not JSON/);
      await writeFile(join(dir, 'jaeger.json'), '{"data": [{"traceID": "abc", "spans": []}]}');
      await page.getByLabel('OTLP JSON file').setInputFiles(join(dir, 'jaeger.json'));
      assert.match(await page.getByRole('alert').innerText(), /not OTLP: expected an object with resourceSpans/);
      // Over the size limit: refused from its size, before a byte is read (a sparse file, cheap to make).
      await writeFile(join(dir, 'huge.json'), '');
      await truncate(join(dir, 'huge.json'), 65 * 1024 * 1024);
      await page.getByLabel('OTLP JSON file').setInputFiles(join(dir, 'huge.json'));
      assert.match(await page.getByRole('alert').innerText(), /huge\.json is 65 MB: the page opens files up to 64 MB/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.deepEqual(pageErrors, []);
  });
});
