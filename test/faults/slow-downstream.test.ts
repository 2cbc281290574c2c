/**
 * A slow downstream: inventory answers after 2 s (INVENTORY_DELAY_MS=2000)
 * while the gateway gives each request 1 s (GATEWAY_BUDGET_MS=1000). The
 * gateway's deadline travels over gRPC to orders and on to inventory, so:
 * the client gets a 504 after about a second (not after 2 s+), each CLIENT
 * span on the way records DEADLINE_EXCEEDED as an error, inventory sees the
 * call cancelled and does no work after the caller gave up (no reservation,
 * no order, no event), and the shop stays healthy.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, orphans, startTestShop, validOrder } from '../shop/support/shop.ts';
import { sleep, writeFigures } from './support.ts';

const DEADLINE_EXCEEDED = 4;
const CANCELLED = 1;

let t: TestShop;
before(async () => {
  t = await startTestShop({ serviceEnv: { inventory: { INVENTORY_DELAY_MS: '2000' }, gateway: { GATEWAY_BUDGET_MS: '1000' } } });
});
after(async () => {
  await t?.close();
});

describe('slow downstream', () => {
  it('the gateway deadline propagates through gRPC; DEADLINE_EXCEEDED on the right spans; no work after the caller gave up', async () => {
    const startNs = BigInt(Date.now() - 5) * 1_000_000n;
    const t0 = performance.now();
    const res = await t.post(validOrder(1));
    const elapsedMs = Math.round(performance.now() - t0);
    assert.equal(res.status, 504, JSON.stringify(res.body));

    const spans = await t.sink.waitFor(
      (all) => all.some((s) => s.service === 'inventory' && s.kind === 'SERVER' && s.startNs >= startNs) && all.some((s) => s.service === 'gateway' && s.kind === 'SERVER' && s.startNs >= startNs),
      15_000,
      'gateway and inventory spans',
    );
    const gatewayServer = spans.find((s) => s.service === 'gateway' && s.kind === 'SERVER' && s.startNs >= startNs) as SinkSpan;
    await sleep(500);
    const trace = t.sink.trace(gatewayServer.traceId);
    const find = (service: string, kind: string, name?: string) =>
      trace.find((s) => s.service === service && s.kind === kind && (name === undefined || s.name.endsWith(name)));

    assert.equal(gatewayServer.status.code, 'ERROR');
    assert.equal(gatewayServer.attributes['http.response.status_code'], 504);
    const gatewayClient = find('gateway', 'CLIENT', '/CreateOrder');
    assert.equal(gatewayClient?.attributes['rpc.grpc.status_code'], DEADLINE_EXCEEDED, 'gateway → orders');
    assert.equal(gatewayClient?.status.code, 'ERROR');
    const ordersClient = find('orders', 'CLIENT', '/CheckStock');
    assert.equal(ordersClient?.attributes['rpc.grpc.status_code'], DEADLINE_EXCEEDED, 'orders → inventory: the gateway deadline reached this hop');
    assert.equal(ordersClient?.status.code, 'ERROR');
    const inventoryServer = find('inventory', 'SERVER', '/CheckStock');
    assert.equal(inventoryServer?.attributes['rpc.grpc.status_code'], CANCELLED, 'inventory saw the call cancelled by the deadline');
    assert.equal(trace.filter((s) => s.name.endsWith('/Reserve')).length, 0, 'no Reserve after the deadline');
    assert.equal(trace.filter((s) => s.kind === 'PRODUCER').length, 0, 'no event for an order that was not placed');
    assert.deepEqual(orphans(trace).map((s) => `${s.service}:${s.name}`), [], 'one connected trace');

    // Inventory's delayed handler ran after the cancel and did nothing.
    await sleep(1_500);
    const db = new Database(path.join(t.dataDir, 'inventory.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM reservations').get() as { n: number }).n, 0);
    } finally {
      db.close();
    }
    const health = await fetch(`${t.shop.gatewayUrl}/healthz`);
    assert.equal(health.status, 200);
    for (const s of t.shop.services.values()) assert.equal(s.child.exitCode, null, `${s.name} is running`);

    writeFigures('slow-downstream', {
      inventoryDelayMs: 2000,
      gatewayBudgetMs: 1000,
      clientSawMs: elapsedMs,
      spans: trace.map((s) => ({ service: s.service, kind: s.kind, name: s.name, status: s.status.code, grpcStatus: s.attributes['rpc.grpc.status_code'], durationMs: Number((s.endNs - s.startNs) / 1_000_000n) })),
    });
  });
});
