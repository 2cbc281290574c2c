/**
 * Order load against a shop's gateway over keep-alive HTTP: closed loop
 * (fixed concurrency, as fast as answers come) or open loop (fixed arrival
 * rate, whatever the latency). Latencies are client-side, ms.
 */
import http from 'node:http';
import { benchOrder } from './shop.ts';

export interface LoadResult {
  ok: number;
  failed: number;
  elapsedMs: number;
  latenciesMs: number[];
  orderIds: string[];
  /** Trace id per order, from the gateway's W3C `traceresponse` header. */
  traceOf: Map<string, string>;
  statuses: Record<string, number>;
}

let counter = 0;

function postOrder(agent: http.Agent, url: URL): Promise<{ status: number; orderId?: string; traceId?: string }> {
  const body = JSON.stringify(benchOrder(counter++));
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: '/api/orders', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let orderId: string | undefined;
          if (res.statusCode === 201) {
            try {
              orderId = String((JSON.parse(Buffer.concat(chunks).toString()) as { order_id: unknown }).order_id);
            } catch {
              // counted as ok without an id
            }
          }
          const traceId = /^00-([0-9a-f]{32})-/.exec(String(res.headers.traceresponse ?? ''))?.[1];
          resolve({ status: res.statusCode ?? 0, ...(orderId ? { orderId } : {}), ...(traceId ? { traceId } : {}) });
        });
      },
    );
    req.on('error', () => resolve({ status: 0 }));
    req.end(body);
  });
}

function tally(result: LoadResult, r: { status: number; orderId?: string; traceId?: string }, latency: number): void {
  const { status, orderId } = r;
  result.statuses[status] = (result.statuses[status] ?? 0) + 1;
  if (status === 201) {
    result.ok++;
    result.latenciesMs.push(latency);
    if (orderId) result.orderIds.push(orderId);
    if (orderId && r.traceId) result.traceOf.set(orderId, r.traceId);
  } else {
    result.failed++;
  }
}

/** `concurrency` clients, each posting its next order as soon as the last one is answered. */
export async function closedLoop(gatewayUrl: string, concurrency: number, durationMs: number): Promise<LoadResult> {
  const url = new URL(gatewayUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { ok: 0, failed: 0, elapsedMs: 0, latenciesMs: [], orderIds: [], traceOf: new Map(), statuses: {} };
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await postOrder(agent, url);
        tally(result, r, performance.now() - t);
      }
    }),
  );
  result.elapsedMs = performance.now() - start;
  agent.destroy();
  result.latenciesMs.sort((a, b) => a - b);
  return result;
}

/** Orders arrive at `ratePerSec` for `durationMs`, each on its own schedule, however slow the answers. */
export async function openLoop(gatewayUrl: string, ratePerSec: number, durationMs: number): Promise<LoadResult> {
  const url = new URL(gatewayUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const result: LoadResult = { ok: 0, failed: 0, elapsedMs: 0, latenciesMs: [], orderIds: [], traceOf: new Map(), statuses: {} };
  const start = performance.now();
  const total = Math.round((ratePerSec * durationMs) / 1000);
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ratePerSec;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    pending.push(postOrder(agent, url).then((r) => tally(result, r, performance.now() - t)));
  }
  await Promise.all(pending);
  result.elapsedMs = performance.now() - start;
  agent.destroy();
  result.latenciesMs.sort((a, b) => a - b);
  return result;
}
