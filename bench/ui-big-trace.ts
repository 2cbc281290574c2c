/**
 * Bench ui-big-trace: how the trace page copes with a 100,000-span trace
 * 1,900 levels deep, in Debian's Chromium (headless, software rendering),
 * against a real explorer that stored the trace over OTLP/HTTP.
 *
 * - open: from `page.goto('/trace/<id>')` until the first waterfall rows are
 *   painted (two animation frames after they are in the DOM); the API answer
 *   alone (`/api/tw/traces/<id>` in both shapes, fetched by Node) is reported
 *   beside it. bench/support/big-trace-phases.ts splits the explorer's part.
 * - scroll: the waterfall is scrolled by 10 rows every animation frame for
 *   3 s; frames per second = animation frames the page managed (Chromium
 *   caps them at 60). The same run records a Chromium performance trace
 *   (`bench/results/ui-big-trace.trace.json`, not committed) for a look in
 *   DevTools' Performance panel.
 * - collapse: clicking the twisty of a span with over 10,000 descendants
 *   until its rows are gone.
 *
 * `npm run bench ui-big-trace`, or alone: `node --import tsx bench/ui-big-trace.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startExplorer } from '../packages/explorer/src/index.ts';
import { type BenchResult, type Figure, RESULTS_DIR, progress, stamp } from './lib.ts';

const SPANS = 100_000;
const DEPTH = 1_900;
const SERVICES = ['gateway', 'orders', 'inventory', 'pricing', 'search', 'shipping', 'billing', 'audit'];
const TRACE_ID = 'b16b16b16b16b16b16b16b16b16b16b1';

const hex = (n: number): string => n.toString(16).padStart(16, '0');

/** Span i: the first DEPTH form one chain; the rest are leaves spread over the chain. */
function span(i: number, t0: bigint): Record<string, unknown> {
  const chain = i < DEPTH;
  const parent = i === 0 ? '' : chain ? hex(i) : hex((i * 7919) % DEPTH + 1);
  const start = t0 + BigInt(chain ? i * 1000 : ((i * 7919) % DEPTH) * 1000 + 500);
  const end = chain ? t0 + BigInt((2 * DEPTH - i) * 1000 + 5_000_000) : start + 400n;
  return {
    traceId: TRACE_ID, spanId: hex(i + 1), parentSpanId: parent, name: chain ? `step ${i}` : `leaf work ${i % 97}`, kind: 1,
    startTimeUnixNano: String(start), endTimeUnixNano: String(end),
    attributes: [{ key: 'i', value: { intValue: String(i) } }],
  };
}

export async function seedForProfile(httpPort: number): Promise<void> { return seed(httpPort); }
async function seed(httpPort: number): Promise<void> {
  const t0 = BigInt(Date.now() - 600_000) * 1_000_000n;
  for (let from = 0; from < SPANS; from += 5_000) {
    const bySvc = new Map<string, Record<string, unknown>[]>();
    for (let i = from; i < Math.min(SPANS, from + 5_000); i++) {
      const svc = SERVICES[i % SERVICES.length]!;
      bySvc.set(svc, [...(bySvc.get(svc) ?? []), span(i, t0)]);
    }
    const body = {
      resourceSpans: [...bySvc].map(([svc, spans]) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      })),
    };
    const res = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`seed: ${res.status} ${await res.text()}`);
    await res.text();
  }
}

async function measure(url: string): Promise<Figure[]> {
  const fetchMs = async (query: string): Promise<{ ms: number; mib: string }> => {
    const t = Date.now();
    const bytes = (await (await fetch(`${url}/api/tw/traces/${TRACE_ID}${query}`)).arrayBuffer()).byteLength;
    return { ms: Date.now() - t, mib: (bytes / 2 ** 20).toFixed(0) };
  };
  const full = await fetchMs('');
  const compact = await fetchMs('?shape=compact');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(120_000);
    // Warm the static files, so the figure is the trace, not the first load of the bundle.
    await page.goto(`${url}/search`);
    const t0 = Date.now();
    await page.goto(`${url}/trace/${TRACE_ID}`);
    await page.locator('.tw-row').first().waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const openMs = Date.now() - t0;
    // Of that, waiting for the API (request start to last byte), from the page's resource timing.
    const apiInPageMs = await page.evaluate<number>(`(() => {
      const e = performance.getEntriesByType('resource').find((r) => r.name.includes('/api/tw/traces/'));
      return e ? Math.round(e.responseEnd - e.requestStart) : -1;
    })()`);
    await browser.startTracing(page, { path: path.join(RESULTS_DIR, 'ui-big-trace.trace.json'), screenshots: false });
    // A string, not a function: tsx's name-keeping helper does not exist in the page.
    const fps = await page.evaluate<number>(`(async () => {
      const el = document.querySelector('.tw-wf-scroll');
      let frames = 0;
      const start = performance.now();
      await new Promise((done) => {
        function step() {
          frames++;
          el.scrollTop += 260;
          if (performance.now() - start < 3000) requestAnimationFrame(step);
          else done();
        }
        requestAnimationFrame(step);
      });
      return frames / ((performance.now() - start) / 1000);
    })()`);
    await browser.stopTracing();
    // Collapse the chain at depth DEPTH - 1,000 or so: it hides well over 10,000 spans.
    await page.evaluate(() => (document.querySelector('.tw-wf-scroll')!.scrollTop = 0));
    const c0 = Date.now();
    await page.locator('.tw-row[data-depth="0"] .tw-twisty').click();
    await page.locator('.tw-row').nth(1).waitFor({ state: 'detached' });
    const collapseMs = Date.now() - c0;
    return [
      { case: `API answer, ${SPANS.toLocaleString('en-US')} spans, full shape (${full.mib} MiB JSON)`, value: full.ms, unit: 'ms' },
      { case: `API answer, compact shape (${compact.mib} MiB JSON, what the page reads)`, value: compact.ms, unit: 'ms' },
      {
        case: 'open the trace page (first rows painted)',
        value: openMs,
        unit: 'ms',
        target: '< 2,000 ms',
        met: openMs < 2000,
        ...(openMs < 2000 ? {} : { note: `${openMs - 2000} ms over (x${(openMs / 2000).toFixed(2)}); load average ${os.loadavg()[0]?.toFixed(1)} during the run` }),
      },
      { case: '  of which the API request (in the page)', value: apiInPageMs, unit: 'ms' },
      { case: '  of which the page (parse, tree, render)', value: openMs - apiInPageMs, unit: 'ms' },
      {
        case: 'scroll the waterfall (10 rows per frame)',
        value: Math.round(fps * 10) / 10,
        unit: 'frames/s',
        target: '60',
        met: fps >= 58,
        ...(fps >= 58 ? {} : { note: `${(60 - fps).toFixed(1)} frames/s short; load average ${os.loadavg()[0]?.toFixed(1)} during the run` }),
      },
      { case: `collapse the root (hides ${SPANS - 1} spans)`, value: collapseMs, unit: 'ms' },
    ];
  } finally {
    await browser.close();
  }
}

export async function run(quick: boolean): Promise<BenchResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tw-bench-ui-'));
  const ex = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0 });
  try {
    progress('ui-big-trace: storing the trace');
    await seed(ex.httpPort);
    progress('ui-big-trace: measuring in Chromium');
    const figures = await measure(ex.url);
    // The machine is shared: its load average beside the figures says how far to trust them.
    const loadAverage = os.loadavg().map((l) => Math.round(l * 10) / 10);
    return { name: 'ui-big-trace', title: 'Trace page, 100,000 spans 1,900 deep (Chromium)', ...stamp(), quick, parameters: { spans: SPANS, depth: DEPTH, loadAverage }, figures };
  } finally {
    await ex.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run(false);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
