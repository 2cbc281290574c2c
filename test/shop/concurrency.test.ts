/**
 * 200 orders at once: each gets its own complete trace, and no span of one
 * order shows up in another's (context does not leak between concurrent
 * requests, relay publishes or consumer deliveries).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, orphans, startTestShop, traceComplete, traceOfOrder, validOrder } from './support/shop.ts';

const ORDERS = 200;
let t: TestShop;
before(async () => {
  t = await startTestShop({ env: { GATEWAY_BUDGET_MS: '60000' } });
});
after(async () => {
  await t?.close();
});

describe('concurrent orders', () => {
  it(`${ORDERS} concurrent orders give ${ORDERS} complete, separate traces`, async () => {
    const results = await Promise.all(Array.from({ length: ORDERS }, (_, i) => t.post(validOrder(i), { headers: { 'x-request-timeout-ms': '30000' } })));
    const bad = results.filter((r) => r.status !== 201);
    assert.equal(bad.length, 0, `all created; failures: ${JSON.stringify(bad.slice(0, 3))}`);
    const orderIds = results.map((r) => String(r.body.order_id));
    assert.equal(new Set(orderIds).size, ORDERS);

    const spans = await t.sink.waitFor(
      (all) => {
        const complete = orderIds.filter((id) => {
          const traceId = traceOfOrder(all, id);
          return traceId !== undefined && traceComplete(all, traceId);
        });
        return complete.length === ORDERS;
      },
      120_000,
      `${ORDERS} complete traces`,
    );
    await new Promise((r) => setTimeout(r, 500));
    const all = t.sink.spans();
    const byTrace = new Map<string, SinkSpan[]>();
    for (const s of all) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);

    const traceIds = orderIds.map((id) => traceOfOrder(spans, id) as string);
    assert.equal(new Set(traceIds).size, ORDERS, 'one trace per order');
    for (const [i, orderId] of orderIds.entries()) {
      const trace = byTrace.get(traceIds[i] as string) ?? [];
      // Every span that names an order names this one.
      const foreign = trace.filter((s) => s.attributes['order.id'] !== undefined && s.attributes['order.id'] !== orderId);
      assert.deepEqual(foreign.map((s) => `${s.service}:${s.name}`), [], `trace of ${orderId} holds another order's spans`);
      assert.deepEqual(orphans(trace).map((s) => `${s.service}:${s.name}`), [], `trace of ${orderId} has orphans`);
      assert.equal(trace.filter((s) => s.parentSpanId === undefined).length, 1);
      for (const name of ['process-notification', 'send-email', 'send-sms', 'create-shipment', 'INSERT orders']) {
        assert.equal(trace.filter((s) => s.name === name).length, 1, `${name} once in trace of ${orderId}`);
      }
      const keys = trace.filter((s) => s.attributes['messaging.kafka.message.key'] !== undefined).map((s) => s.attributes['messaging.kafka.message.key']);
      assert.ok(keys.every((k) => k === orderId), 'Kafka spans carry this order as key');
    }
  });
});
