/**
 * The search page in headless Chromium when the explorer stopped counting:
 * the total reads "N+", Next stays enabled while pages come back full, and
 * the last (short) page shows the exact total.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type Explorer, startExplorer } from '../../packages/explorer/src/index.ts';
import { hex, otlpJson, postJson, tempDir } from '../explorer/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const TRACES = 45;

describe('search page with a bounded total', () => {
  let explorer: Explorer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), 'chromium is missing: run `bash scripts/setup.sh --browser`');
    assert.ok(existsSync('packages/explorer/dist/ui/index.html'), 'the UI is not built: run `bash scripts/setup.sh --browser`');
    explorer = await startExplorer({ dataDir: tempDir(), grpcPort: 0, httpPort: 0, uiPort: 0, searchCountCap: 10, onError: () => undefined });
    const now = BigInt(Date.now() - 60_000) * 1_000_000n;
    const spans = Array.from({ length: TRACES }, (_, i) => ({
      traceId: hex(i + 1, 32),
      spanId: hex(i + 1, 16),
      name: `op ${i}`,
      kind: 2,
      startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
      endTimeUnixNano: String(now + BigInt(i) * 1_000_000n + 500_000n),
    }));
    const res = await postJson(explorer.httpPort, otlpJson(spans, 'counted'));
    assert.equal(res.status, 200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
  });
  after(async () => {
    await browser?.close();
    await explorer?.close();
  });

  it('shows "20+ traces", pages on while pages are full, and the exact total on the last page', async () => {
    await page.goto(`http://127.0.0.1:${explorer.uiPort}/search?lookback=1h`);
    const count = page.locator('.tw-results-count');
    await page.locator('li.tw-result').first().waitFor();
    assert.match(await count.innerText(), /^20\+ traces/);
    assert.match(await page.locator('.tw-pager').innerText(), /Page 1 of 1\+/);
    const next = page.locator('.tw-pager button', { hasText: 'Next' });
    assert.equal(await next.isEnabled(), true, 'more may follow a full page');
    await next.click();
    await page.waitForURL(/offset=20/);
    await page.locator('.tw-results-count', { hasText: '40+ traces' }).waitFor();
    await next.click();
    await page.waitForURL(/offset=40/);
    await page.locator('.tw-results-count', { hasText: `${TRACES} traces` }).waitFor();
    assert.equal(await page.locator('li.tw-result').count(), TRACES - 40);
    assert.equal(await next.isEnabled(), false);
  });
});
