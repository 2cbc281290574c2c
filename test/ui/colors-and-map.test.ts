/**
 * Service colours and the service map in headless Chromium, against a real
 * explorer: a service has one colour on the search page, the trace page and
 * the map (ui/lib/colors.ts), and the map tells a Kafka edge from a RabbitMQ
 * edge between the same services (messaging.system), each with its error rate.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { hex, postJson, startTestExplorer } from '../explorer/helpers.ts';
import { docShot } from './doc-shots.ts';

const CHROMIUM = '/usr/bin/chromium';
const TRACE = hex(0xc010, 32);
type TestExplorer = Awaited<ReturnType<typeof startTestExplorer>>;

let ex: TestExplorer;
let browser: Browser;
let page: Page;

interface Draft {
  id: number;
  parent?: number;
  service: string;
  name: string;
  kind: number;
  system?: string;
  error?: boolean;
}

/** orders sends one Kafka message to shipping and two RabbitMQ messages, one of which fails to process. */
const DRAFTS: Draft[] = [
  { id: 1, service: 'orders', name: 'POST /orders', kind: 2 },
  { id: 2, parent: 1, service: 'orders', name: 'send order-events', kind: 4, system: 'kafka' },
  { id: 3, parent: 2, service: 'shipping', name: 'process order-events', kind: 5, system: 'kafka' },
  { id: 4, parent: 1, service: 'orders', name: 'publish orders', kind: 4, system: 'rabbitmq' },
  { id: 5, parent: 4, service: 'shipping', name: 'process shipping.orders', kind: 5, system: 'rabbitmq', error: true },
  { id: 6, parent: 1, service: 'orders', name: 'publish orders', kind: 4, system: 'rabbitmq' },
  { id: 7, parent: 6, service: 'shipping', name: 'process shipping.orders', kind: 5, system: 'rabbitmq' },
];

before(async () => {
  if (!existsSync('packages/explorer/dist/ui/index.html')) {
    execFileSync('npm', ['run', 'build:ui', '-w', 'packages/explorer', '--silent'], { stdio: 'ignore' });
  }
  ex = await startTestExplorer({ serviceMapCacheMs: 0 });
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const resourceSpans = ['orders', 'shipping'].map((service) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [
      {
        scope: { name: 'test' },
        spans: DRAFTS.filter((d) => d.service === service).map((d) => ({
          traceId: TRACE, spanId: hex(d.id, 16), parentSpanId: d.parent ? hex(d.parent, 16) : '', name: d.name, kind: d.kind,
          startTimeUnixNano: String(t0 + BigInt(d.id) * 1_000_000n), endTimeUnixNano: String(t0 + BigInt(d.id + 5) * 1_000_000n),
          attributes: d.system ? [{ key: 'messaging.system', value: { stringValue: d.system } }] : [],
          status: d.error ? { code: 2, message: 'poison message' } : {},
        })),
      },
    ],
  }));
  const res = await postJson(ex.httpPort, { resourceSpans });
  assert.equal(res.status, 200, await res.text());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1100, height: 520 } });
  page.setDefaultTimeout(10_000);
});
after(async () => {
  await browser?.close();
  await ex?.close();
});

const rgb = (el: Element, prop: string): string => getComputedStyle(el).getPropertyValue(prop);

describe('service colours and the service map', () => {
  it('gives a service the same colour on the search page, the trace page and the map', async () => {
    const colours: Record<string, string[]> = { orders: [], shipping: [] };
    await page.goto(`${ex.url}/search?lookback=1h`);
    for (const svc of Object.keys(colours)) {
      const chip = page.locator(`li.tw-result .tw-chip[title^="${svc}"] .tw-swatch`).first();
      colours[svc]!.push(await chip.evaluate(rgb, 'background-color'));
    }
    await page.goto(`${ex.url}/trace/${TRACE}`);
    await page.locator('.tw-row').first().waitFor();
    for (const svc of Object.keys(colours)) {
      const row = page.locator('.tw-row', { has: page.locator('.tw-row-service', { hasText: svc }) }).first();
      colours[svc]!.push(await row.locator('.tw-svc-mark').evaluate(rgb, 'background-color'));
    }
    await page.goto(`${ex.url}/map?lookback=1h`);
    for (const svc of Object.keys(colours)) {
      const mark = page.locator(`.tw-map-node[data-service="${svc}"] rect`).nth(1);
      colours[svc]!.push(await mark.evaluate(rgb, 'fill'));
    }
    for (const [svc, seen] of Object.entries(colours)) assert.equal(new Set(seen).size, 1, `${svc}: ${seen.join(' / ')}`);
    assert.notEqual(colours.orders![0], colours.shipping![0]);
  });

  it('draws Kafka and RabbitMQ edges apart, each labelled with its broker and error rate', async () => {
    const kafka = page.locator('.tw-map-edge.system-kafka[data-from="orders"][data-to="shipping"]');
    const rabbit = page.locator('.tw-map-edge.system-rabbitmq[data-from="orders"][data-to="shipping"]');
    assert.match(await kafka.locator('text').textContent() ?? '', /Kafka 1 · 0% err/);
    assert.match(await rabbit.locator('text').textContent() ?? '', /RabbitMQ 2 · 50% err/);
    const stroke = (l: typeof kafka) => l.locator('path').first().evaluate((el) => `${getComputedStyle(el).stroke} ${getComputedStyle(el).strokeDasharray}`);
    assert.notEqual(await stroke(kafka), await stroke(rabbit));
    assert.match(await page.locator('.tw-map-legend').innerText(), /Kafka[\s\S]*RabbitMQ/);
    await docShot(page.locator('.tw-map-page'), 'service-map.png');
  });
});
