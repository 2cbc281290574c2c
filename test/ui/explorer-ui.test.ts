/**
 * The explorer's web UI in headless Chromium, against the real explorer:
 * spans from two processes (OTLP/HTTP JSON and OTLP/gRPC) are searched,
 * opened, drilled into and followed through a span link; a hostile
 * attribute must show as text. Screenshot: test-results/explorer-ui.png.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpanKind, type SpanContext, context, trace } from '@opentelemetry/api';
import { type Browser, type Page, chromium } from 'playwright-core';
import { initTracing, inject, tracedFetch, withSpan, type TracingHandle } from '../../packages/tracing/src/index.ts';
import { type Child, startChild } from '../support/child.ts';
import { HOSTILE } from './hostile.ts';
import { type RunningExplorer, startTestExplorer } from './explorer-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = 'test-results/explorer-ui.png';

interface ApiSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string;
  kind: string;
}

let dataDir: string;
let explorer: RunningExplorer;
let backend: Child;
let tracing: TracingHandle;
let browser: Browser;
let page: Page;
let checkoutTraceId = '';
let checkoutSpan: SpanContext;
let reportTraceId = '';
let spans: ApiSpan[] = [];

async function waitForTrace(traceId: string, count: number): Promise<ApiSpan[]> {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${explorer.uiUrl}/api/tw/traces/${traceId}`);
    last = `${res.status}`;
    if (res.ok) {
      const body = (await res.json()) as { spans: ApiSpan[] };
      last = `${body.spans.length} spans`;
      if (body.spans.length >= count) return body.spans;
    } else {
      await res.body?.cancel();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`trace ${traceId} did not reach ${count} spans (last: ${last})`);
}

const byName = (name: string): ApiSpan => {
  const s = spans.find((x) => x.name === name);
  assert.ok(s, `span "${name}" in ${spans.map((x) => x.name).join(', ')}`);
  return s;
};

before(async () => {
  assert.ok(existsSync(CHROMIUM), 'chromium is missing: run `bash scripts/setup.sh --browser`');
  // `npm test` builds the UI in scripts/setup.sh; a direct `node --test` run may not have.
  if (!existsSync('packages/explorer/dist/ui/index.html')) {
    execFileSync('npm', ['run', 'build:ui', '-w', 'packages/explorer', '--silent'], { stdio: 'ignore' });
  }
  dataDir = await mkdtemp(join(tmpdir(), 'tw-ui-'));
  explorer = await startTestExplorer(dataDir);
  backend = await startChild('test/ui/backend-service.ts', { EXPLORER_GRPC: explorer.grpcUrl });
  tracing = initTracing({ serviceName: 'ui-frontend', protocol: 'http/json', endpoint: explorer.otlpHttpUrl, simpleProcessor: true });

  // Trace 1: frontend -> backend over HTTP, with nested work, an error and the hostile attribute.
  checkoutTraceId = await withSpan('checkout flow', { kind: SpanKind.SERVER }, async (span) => {
    checkoutSpan = span.spanContext();
    const res = await tracedFetch(`http://127.0.0.1:${String(backend.ready.port)}/checkout`);
    assert.equal(res.status, 200);
    await res.text();
    // A message to the backend: PRODUCER here, CONSUMER there (a hop the waterfall draws).
    await withSpan(
      'send order-events',
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events' } },
      async () => {
        const sent = await fetch(`http://127.0.0.1:${String(backend.ready.port)}/consume`, { method: 'POST', body: JSON.stringify(inject({})) });
        assert.equal(sent.status, 202);
        await sent.body?.cancel();
      },
    );
    return span.spanContext().traceId;
  });
  // Trace 2: a separate trace whose root links back to the checkout span.
  reportTraceId = await withSpan(
    'nightly report',
    { root: true, kind: SpanKind.CONSUMER, links: [{ context: checkoutSpan, attributes: { 'link.reason': 'batch' } }] },
    (span) => span.spanContext().traceId,
  );
  await tracing.forceFlush();
  spans = await waitForTrace(checkoutTraceId, 8);
  await waitForTrace(reportTraceId, 1);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
  await tracing?.shutdown();
  await explorer?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('explorer web UI in headless Chromium', () => {
  it('searches by service and lists the trace with its services and span counts', async () => {
    await page.goto(`${explorer.uiUrl}/search`);
    await page.locator('select[name=service] option[value="ui-backend"]').waitFor({ state: 'attached' });
    await page.selectOption('select[name=service]', 'ui-backend');
    await page.click('button[type=submit]');
    await page.waitForURL(/service=ui-backend/);
    const result = page.locator(`li.tw-result[data-trace-id="${checkoutTraceId}"]`);
    await result.waitFor();
    const text = await result.innerText();
    assert.match(text, /checkout flow/);
    assert.match(text, /ui-backend/);
    assert.match(text, /ui-frontend/);
    assert.match(text, /1 error/);
    // The report trace has no ui-backend span: filtered out.
    assert.equal(await page.locator(`li.tw-result[data-trace-id="${reportTraceId}"]`).count(), 0);
    await result.locator('a').click();
    await page.waitForURL(new RegExp(`/trace/${checkoutTraceId}`));
  });

  it('nests the spans in the waterfall the way they were created', async () => {
    await page.locator('.tw-row').first().waitFor();
    const rows = await page.$$eval('.tw-row', (els) =>
      els.map((el) => ({
        id: el.getAttribute('data-span-id') ?? '',
        parent: el.getAttribute('data-parent-id') ?? '',
        depth: Number(el.getAttribute('data-depth')),
        indent: Number.parseFloat(getComputedStyle(el.querySelector('.tw-row-name')!).paddingLeft),
        name: el.querySelector('.tw-row-op')?.textContent ?? '',
        service: el.querySelector('.tw-row-service')?.textContent ?? '',
      })),
    );
    const row = (name: string) => {
      const r = rows.find((x) => x.name === name);
      assert.ok(r, `row "${name}" in ${rows.map((x) => x.name).join(', ')}`);
      return r;
    };
    const root = row('checkout flow');
    const client = row('GET');
    assert.equal(client.parent, root.id, 'the HTTP client span sits under the root');
    const server = rows.find((r) => r.parent === client.id && r.service === 'ui-backend');
    assert.ok(server, 'the backend server span sits under the client span');
    const cart = row('load cart');
    const query = row('query cart items');
    const charge = row('charge card');
    assert.equal(cart.parent, server.id);
    assert.equal(charge.parent, server.id);
    assert.equal(query.parent, cart.id);
    assert.deepEqual([root.depth, client.depth, server.depth, cart.depth, query.depth], [0, 1, 2, 3, 4]);
    assert.ok(root.indent < client.indent && client.indent < server.indent && server.indent < cart.indent && cart.indent < query.indent);
    // Tree order: a parent comes before its children.
    assert.ok(rows.indexOf(root) < rows.indexOf(client) && rows.indexOf(server) < rows.indexOf(cart) && rows.indexOf(cart) < rows.indexOf(query));
    assert.equal(rows.length, spans.length);
    // The failed span is flagged, and the API ids match the DOM.
    assert.equal(await page.locator(`.tw-row.is-error[data-span-id="${byName('charge card').spanId}"]`).count(), 1);
    assert.equal(cart.id, byName('load cart').spanId);
  });

  it('draws the producer -> consumer hop, and clicking it selects the other end', async () => {
    const producer = byName('send order-events');
    const consumer = byName('process order-events');
    assert.equal(consumer.parentSpanId, producer.spanId);
    assert.equal(consumer.service, 'ui-backend');
    const hop = page.locator(`g.tw-conn-hop[data-from="${producer.spanId}"][data-to="${consumer.spanId}"]`);
    await hop.waitFor({ state: 'attached' });
    await hop.dispatchEvent('click');
    await page.waitForURL(new RegExp(`span=${consumer.spanId}`));
    assert.equal(await page.locator('.tw-detail h2').innerText(), 'process order-events');
    await hop.dispatchEvent('click');
    await page.waitForURL(new RegExp(`span=${producer.spanId}`));
  });

  it('offers the trace as an OTLP JSON download', async () => {
    const href = await page.locator('a', { hasText: 'Download OTLP JSON' }).getAttribute('href');
    assert.ok(href);
    const body = await page.evaluate(async (url) => (await fetch(url)).json(), href);
    const count = (body as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }).resourceSpans
      .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)).length;
    assert.equal(count, spans.length);
  });

  it('collapses and expands a subtree', async () => {
    const cartId = byName('load cart').spanId;
    const queryRow = page.locator(`.tw-row[data-span-id="${byName('query cart items').spanId}"]`);
    await page.locator(`.tw-row[data-span-id="${cartId}"] .tw-twisty`).click();
    await queryRow.waitFor({ state: 'detached' });
    await page.locator(`.tw-row[data-span-id="${cartId}"] .tw-twisty`).click();
    await queryRow.waitFor();
  });

  it('shows span details, with the hostile attribute as literal text', async () => {
    const cart = byName('load cart');
    await page.locator(`.tw-row[data-span-id="${cart.spanId}"]`).click();
    await page.waitForURL(new RegExp(`span=${cart.spanId}`));
    const detail = page.locator('.tw-detail');
    await detail.waitFor();
    assert.equal(await detail.locator('h2').innerText(), 'load cart');
    const value = detail.locator('tr[data-key="user.comment"] td');
    assert.equal(await value.textContent(), HOSTILE);
    assert.equal(await detail.locator('tr[data-key="cart.items"] td').textContent(), '3');
    assert.equal(await page.locator('.tw-detail script, .tw-detail img, .tw-app img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);

    // The error span shows its exception with the stack trace, preformatted.
    await page.locator(`.tw-row[data-span-id="${byName('charge card').spanId}"]`).click();
    await detail.locator('.tw-event.is-exception').waitFor();
    assert.match(await detail.locator('.tw-status').innerText(), /ERROR: card declined by issuer/);
    assert.match(await detail.locator('pre.tw-stack').innerText(), /Error: card declined by issuer\n\s+at /);

    await page.locator(`.tw-row[data-span-id="${cart.spanId}"]`).click();
    await detail.locator('tr[data-key="user.comment"]').waitFor();
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('follows a span link from another trace to the linked span', async () => {
    await page.goto(`${explorer.uiUrl}/trace/${reportTraceId}`);
    await page.locator('.tw-row').first().click();
    const link = page.locator(`.tw-detail [data-link-span="${checkoutSpan.spanId}"]`);
    await link.click();
    await page.waitForURL(new RegExp(`/trace/${checkoutTraceId}\\?span=${checkoutSpan.spanId}`));
    await page.locator(`.tw-row.selected[data-span-id="${checkoutSpan.spanId}"]`).waitFor();
    assert.equal(await page.locator('.tw-detail h2').innerText(), 'checkout flow');
    // Going back returns to the report trace.
    await page.goBack();
    await page.waitForURL(new RegExp(`/trace/${reportTraceId}`));
    await page.locator('.tw-trace-title h1', { hasText: 'nightly report' }).waitFor();
    // The link marker on the waterfall row goes there too.
    await page.locator(`.tw-row [data-follow-link="${checkoutSpan.spanId}"]`).click();
    await page.waitForURL(new RegExp(`/trace/${checkoutTraceId}\\?span=${checkoutSpan.spanId}`));
    await page.locator(`.tw-row.selected[data-span-id="${checkoutSpan.spanId}"]`).waitFor();
  });

  it('deep-links to a span and finds a trace by id', async () => {
    const query = byName('query cart items');
    await page.goto(`${explorer.uiUrl}/trace/${checkoutTraceId}?span=${query.spanId}`);
    await page.locator(`.tw-row.selected[data-span-id="${query.spanId}"]`).waitFor();
    assert.equal(await page.locator('.tw-detail h2').innerText(), 'query cart items');
    await page.goto(`${explorer.uiUrl}/search`);
    await page.fill('input[name=traceId]', reportTraceId.toUpperCase());
    await page.press('input[name=traceId]', 'Enter');
    await page.waitForURL(new RegExp(`/trace/${reportTraceId}$`));
    await page.locator('.tw-row').first().waitFor();
  });

  it('refreshes a young trace by itself when late spans arrive', async () => {
    // A fresh trace, so that it is still "young" however long the steps above took.
    let jobSpan: SpanContext | undefined;
    const jobTraceId = withSpan('live job', { root: true }, (span) => {
      jobSpan = span.spanContext();
      return jobSpan.traceId;
    });
    await tracing.forceFlush();
    await waitForTrace(jobTraceId, 1);
    await page.goto(`${explorer.uiUrl}/trace/${jobTraceId}`);
    await page.locator('.tw-live').waitFor();
    assert.equal(await page.locator('.tw-row').count(), 1);
    withSpan('late audit', { parent: trace.setSpanContext(context.active(), jobSpan!) }, () => undefined);
    await tracing.forceFlush();
    await page.locator('.tw-row .tw-row-op', { hasText: 'late audit' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.tw-row').count(), 2);
  });

  it('draws the service map with the call between the two services', async () => {
    await page.goto(`${explorer.uiUrl}/map`);
    await page.locator('.tw-map-node[data-service="ui-backend"]').waitFor();
    assert.equal(await page.locator('.tw-map-node[data-service="ui-frontend"]').count(), 1);
    assert.ok((await page.locator('.tw-map-edge[data-from="ui-frontend"][data-to="ui-backend"]').count()) >= 1);
    assert.equal(await page.locator('.tw-map-edge.kind-messaging[data-from="ui-frontend"][data-to="ui-backend"]').count(), 1);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
  });
});
