/**
 * Live results and the keyboard in headless Chromium, against a real
 * explorer fed over OTLP/HTTP: the search page streams new traces in
 * (server-sent events) and holds them while paused, an open young trace
 * grows as its spans arrive, `?` lists every shortcut, and the search page
 * is usable without a mouse. Screenshots for docs/explorer-ui.md: doc-shots.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { SHORTCUTS } from '../../packages/explorer/src/ui/lib/shortcuts.ts';
import { hex, otlpJson, postJson, startTestExplorer } from '../explorer/helpers.ts';
import { docShot } from './doc-shots.ts';

const CHROMIUM = '/usr/bin/chromium';
type TestExplorer = Awaited<ReturnType<typeof startTestExplorer>>;

let ex: TestExplorer;
let browser: Browser;
let page: Page;
let seq = 0x500;

/** One span, `agoMs` before now, posted over OTLP/HTTP JSON. */
async function send(traceId: string, name: string, opts: { parent?: string; service?: string; agoMs?: number } = {}): Promise<string> {
  seq += 1;
  const spanId = hex(seq, 16);
  const t = BigInt(Date.now() - (opts.agoMs ?? 0)) * 1_000_000n;
  const span = { traceId, spanId, parentSpanId: opts.parent ?? '', name, kind: 2, startTimeUnixNano: String(t), endTimeUnixNano: String(t + 3_000_000n) };
  const res = await postJson(ex.httpPort, otlpJson([span], opts.service ?? 'live-ui'));
  assert.equal(res.status, 200, await res.text());
  return spanId;
}

before(async () => {
  if (!existsSync('packages/explorer/dist/ui/index.html')) {
    execFileSync('npm', ['run', 'build:ui', '-w', 'packages/explorer', '--silent'], { stdio: 'ignore' });
  }
  ex = await startTestExplorer({ live: { minIntervalMs: 100 } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.setDefaultTimeout(10_000);
});
after(async () => {
  await browser?.close();
  await ex?.close();
});

describe('live results', () => {
  it('streams new traces into the search results, holds them while paused and shows them on resume', async () => {
    await page.goto(`${ex.url}/search?service=live-ui&lookback=1h`);
    await page.locator('.tw-empty', { hasText: 'No traces match' }).waitFor();
    await page.locator('button.tw-live-toggle').click();
    await page.locator('.tw-live-state', { hasText: 'Live' }).waitFor();

    const first = hex(0xa11, 32);
    await send(first, 'GET /first');
    await page.locator(`li.tw-result[data-trace-id="${first}"]`).waitFor();
    assert.match(await page.locator('.tw-results-count').innerText(), /^1 trace/);

    await page.locator('button.tw-live-pause').click();
    await page.locator('.tw-live-state', { hasText: 'Paused' }).waitFor();
    const second = hex(0xa12, 32);
    await send(second, 'GET /second');
    await page.locator('button.tw-live-resume', { hasText: 'Resume (1 new)' }).waitFor();
    assert.equal(await page.locator(`li.tw-result[data-trace-id="${second}"]`).count(), 0, 'a paused list does not move');

    await page.locator('button.tw-live-resume').click();
    await page.locator(`li.tw-result.is-fresh[data-trace-id="${second}"]`).waitFor();
    assert.match(await page.locator('.tw-results-count').innerText(), /^2 traces/);
    await docShot(page.locator('.tw-search'), 'live-search.png');
    await page.locator('button', { hasText: 'Stop' }).click();
    await page.locator('button.tw-live-toggle').waitFor();
  });

  it('grows an open young trace as its spans arrive, over the live stream', async () => {
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/tw/live/traces/')) streams.push(r.url());
    });
    const traceId = hex(0xb0b, 32);
    const root = await send(traceId, 'import batch', { service: 'importer' });
    await page.goto(`${ex.url}/trace/${traceId}`);
    await page.locator('.tw-live').waitFor();
    assert.equal(await page.locator('.tw-row').count(), 1);
    for (const name of ['parse file', 'write rows']) await send(traceId, name, { parent: root, service: 'importer' });
    await page.locator('.tw-row .tw-row-op', { hasText: 'write rows' }).waitFor();
    assert.equal(await page.locator('.tw-row').count(), 3);
    assert.ok(streams.some((u) => u.endsWith(`/api/tw/live/traces/${traceId}`)), `a live stream was opened: ${streams.join(', ')}`);
    await docShot(page.locator('.tw-trace'), 'live-trace.png');
  });

  it('waits for a trace id that is not stored yet and shows it when its spans arrive', async () => {
    const traceId = hex(0xc0ffee, 32);
    await page.goto(`${ex.url}/trace/${traceId}`);
    await page.locator('[role=alert]', { hasText: 'waiting for its spans' }).waitFor();
    await send(traceId, 'arrives late');
    await page.locator('.tw-row .tw-row-op', { hasText: 'arrives late' }).waitFor();
  });
});

describe('keyboard', () => {
  it('? shows every shortcut in a help overlay, and Esc closes it', async () => {
    await page.goto(`${ex.url}/search?lookback=1h`);
    await page.locator('li.tw-result').first().waitFor();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    const rows = await help.locator('.tw-help-row').allInnerTexts();
    const expected = SHORTCUTS.flatMap((g) => g.shortcuts);
    assert.equal(rows.length, expected.length);
    for (const s of expected) assert.ok(rows.some((r) => r.includes(s.does) && s.keys.every((k) => r.includes(k))), `help lists "${s.does}"`);
    await docShot(help, 'keyboard-help.png');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  it('a / right after the Esc that closed the help focuses the form (no re-render in between)', async () => {
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    // Both keys in one task, as a fast typist's would land before the page re-renders.
    const focused = await page.evaluate(() => {
      for (const key of ['Escape', '/']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      return document.activeElement?.getAttribute('name');
    });
    assert.equal(focused, 'service');
    await page.keyboard.press('Escape'); // leaves the field
  });

  it('on the search page, / focuses the form, j/k move through results and Enter opens one', async () => {
    const ids = await page.locator('li.tw-result').evaluateAll((els) => els.map((el) => el.getAttribute('data-trace-id')));
    assert.ok(ids.length >= 2);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'service');
    await page.keyboard.press('Escape'); // leaves the field
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), null);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.locator(`li.tw-result.is-active[data-trace-id="${ids[1]}"]`).waitFor();
    await page.keyboard.press('k');
    await page.locator(`li.tw-result.is-active[data-trace-id="${ids[0]}"]`).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/trace/${ids[0]}$`));
    // On the trace page, / goes to Find in trace.
    await page.locator('.tw-row').first().waitFor();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Find in trace');
  });
});
