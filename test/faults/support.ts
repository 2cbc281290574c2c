/** Shared by the fault tests: free ports, a bounded load loop, figures for docs/reliability.md. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../../scripts/demo/launch.ts';
import { type TestShop, validOrder } from '../shop/support/shop.ts';

/** `npm run test:faults` sets this: the long variants (60 s outages) instead of the CI-sized ones. */
export const FULL = process.env.TRACEWIRE_FAULTS_FULL === '1';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface LoadResult {
  statuses: Map<number, number>;
  orderIds: string[];
  latenciesMs: number[];
  errors: string[];
}

/**
 * Posts orders with `concurrency` workers until `stop()` (and at most
 * `maxRequests`, so the loop is bounded whatever happens). Never throws:
 * network errors are collected.
 */
export function startLoad(t: TestShop, opts: { concurrency?: number; maxRequests?: number; pauseMs?: number } = {}) {
  const result: LoadResult = { statuses: new Map(), orderIds: [], latenciesMs: [], errors: [] };
  let stopped = false;
  let sent = 0;
  const worker = async (w: number): Promise<void> => {
    while (!stopped && sent < (opts.maxRequests ?? 5_000)) {
      const i = sent++;
      const t0 = performance.now();
      try {
        const res = await t.post(validOrder(i + w));
        result.latenciesMs.push(performance.now() - t0);
        result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) result.orderIds.push(String(res.body.order_id));
        else result.errors.push(`${res.status} ${JSON.stringify(res.body)}`);
      } catch (error) {
        result.errors.push(String(error));
      }
      if (opts.pauseMs) await sleep(opts.pauseMs);
    }
  };
  const running = Promise.all(Array.from({ length: opts.concurrency ?? 4 }, (_, w) => worker(w)));
  return {
    result,
    /** Takes the numbers so far and starts a fresh tally (for phases). */
    snapshot(): LoadResult {
      const copy = { statuses: new Map(result.statuses), orderIds: [...result.orderIds], latenciesMs: [...result.latenciesMs], errors: [...result.errors] };
      result.statuses.clear();
      result.orderIds.length = 0;
      result.latenciesMs.length = 0;
      result.errors.length = 0;
      return copy;
    },
    async stop(): Promise<void> {
      stopped = true;
      await running;
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}

export function summary(r: LoadResult) {
  return {
    requests: r.latenciesMs.length + r.errors.filter((e) => !/^\d{3} /.test(e)).length,
    statuses: Object.fromEntries(r.statuses),
    latencyMs: { p50: percentile(r.latenciesMs, 50), p95: percentile(r.latenciesMs, 95), max: percentile(r.latenciesMs, 100) },
  };
}

/** Figures of the last run, read by whoever updates docs/reliability.md (git-ignored test-results/). */
export function writeFigures(name: string, figures: Record<string, unknown>): void {
  const dir = path.join(ROOT, 'test-results', 'faults');
  fs.mkdirSync(dir, { recursive: true });
  const doc = { test: name, at: new Date().toISOString(), full: FULL, ...figures };
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`# figures ${name}: ${JSON.stringify(doc)}`);
}
