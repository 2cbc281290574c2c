/**
 * When orders cannot store an order after inventory reserved its stock, the
 * reservation is released (inventory's Release, idempotent per order id)
 * before the caller gets the error: stock never leaks to an order that does
 * not exist, and the compensation is traced in the order's trace.
 * The failure is injected with CHAOS_FAIL_COMMIT_CUSTOMER: that customer's
 * order transaction fails inside SQLite after Reserve succeeded.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { type InventoryClient, inventoryClient, isServiceError } from '@tracewire/service-common';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, orphans, startTestShop, validOrder } from './support/shop.ts';

const DOOMED = 'cust-db-write-fails';
const RESERVE = 'tracewire.shop.v1.InventoryService/Reserve';
const RELEASE = 'tracewire.shop.v1.InventoryService/Release';

let t: TestShop;
let inventory: InventoryClient;
before(async () => {
  t = await startTestShop({ serviceEnv: { orders: { CHAOS_FAIL_COMMIT_CUSTOMER: DOOMED } } });
  inventory = inventoryClient(String(t.shop.services.get('inventory')?.ready.address));
});
after(async () => {
  inventory?.close();
  await t?.close();
});

function inventoryDb<T>(read: (db: Database.Database) => T): T {
  const db = new Database(path.join(t.dataDir, 'inventory.db'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const stockOf = (productId: string): number =>
  inventoryDb((db) => (db.prepare('SELECT stock FROM products WHERE product_id = ?').get(productId) as { stock: number }).stock);

function one(trace: SinkSpan[], pred: (s: SinkSpan) => boolean, what: string): SinkSpan {
  const found = trace.filter(pred);
  assert.equal(found.length, 1, `expected one ${what}, found ${found.length}: ${trace.map((s) => `${s.service}:${s.kind}:${s.name}`).join(', ')}`);
  return found[0] as SinkSpan;
}

const soon = (ms: number) => Date.now() + ms;

describe('a reservation whose order cannot be stored is released', () => {
  let failedOrderId = '';

  it('DB write fails after Reserve → HTTP error, stock back to its earlier value, Release traced in the same trace', async () => {
    const product = 'sku-webcam';
    const before = stockOf(product);
    const res = await fetch(`${t.shop.gatewayUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_id: DOOMED, product_id: product, quantity: 4, amount: 40 }),
    });
    const body = (await res.json()) as { error?: string };
    assert.equal(res.status, 502, JSON.stringify(body));
    assert.equal(body.error, 'orders service failed');
    assert.equal(stockOf(product), before, 'the reserved stock is back once the caller has its answer');

    const traceId = String(res.headers.get('traceresponse')).split('-')[1] as string;
    await t.sink.waitFor(
      (all) => all.some((s) => s.traceId === traceId && s.service === 'inventory' && s.name === RELEASE) && all.some((s) => s.traceId === traceId && s.service === 'gateway' && s.kind === 'SERVER'),
      30_000,
      'Release spans of the failed order',
    );
    await new Promise((r) => setTimeout(r, 400));
    const trace = t.sink.trace(traceId);
    assert.ok(trace.every((s) => s.traceId === traceId));
    assert.deepEqual(orphans(trace).map((s) => `${s.service}:${s.name}`), [], 'every span is connected to the root');

    const gateway = one(trace, (s) => s.service === 'gateway' && s.kind === 'SERVER', 'gateway SERVER');
    assert.equal(gateway.status.code, 'ERROR');
    assert.equal(gateway.attributes['http.response.status_code'], 502);
    const createClient = one(trace, (s) => s.service === 'gateway' && s.kind === 'CLIENT', 'gateway → orders CLIENT');
    assert.equal(createClient.attributes['rpc.grpc.status_code'], status.INTERNAL);

    // The original failure is recorded where it happened: the failed statement and the orders SERVER span.
    const ordersServer = one(trace, (s) => s.service === 'orders' && s.kind === 'SERVER', 'orders SERVER');
    failedOrderId = String(ordersServer.attributes['order.id']);
    assert.equal(ordersServer.parentSpanId, createClient.spanId);
    assert.equal(ordersServer.status.code, 'ERROR');
    const exception = ordersServer.events.find((e) => e.name === 'exception');
    assert.match(String(exception?.attributes['exception.message']), /simulated database failure/);
    const failedInsert = trace.find((s) => s.service === 'orders' && s.name === 'INSERT outbox' && s.status.code === 'ERROR');
    assert.ok(failedInsert, 'the failing outbox INSERT is an ERROR CLIENT span');
    assert.equal(failedInsert.parentSpanId, ordersServer.spanId);

    const reserveClient = one(trace, (s) => s.service === 'orders' && s.name === RESERVE, 'Reserve CLIENT');
    assert.notEqual(reserveClient.status.code, 'ERROR', 'Reserve itself succeeded');

    const releaseClient = one(trace, (s) => s.service === 'orders' && s.name === RELEASE, 'Release CLIENT');
    assert.equal(releaseClient.kind, 'CLIENT');
    assert.equal(releaseClient.parentSpanId, ordersServer.spanId, 'Release is called by the failed CreateOrder');
    assert.notEqual(releaseClient.status.code, 'ERROR');
    assert.equal(releaseClient.attributes['rpc.grpc.status_code'], status.OK);
    // Span start times are anchored on Date.now() (1 ms steps): two spans may disagree by up to 1 ms.
    assert.ok(releaseClient.startNs + 1_000_000n >= failedInsert.endNs, 'released after the write failed');
    const releaseServer = one(trace, (s) => s.service === 'inventory' && s.name === RELEASE, 'Release SERVER');
    assert.equal(releaseServer.kind, 'SERVER');
    assert.equal(releaseServer.parentSpanId, releaseClient.spanId);
    assert.notEqual(releaseServer.status.code, 'ERROR');
    assert.equal(releaseServer.attributes['order.id'], failedOrderId);
    assert.equal(releaseServer.attributes['reservation.released'], true);
    assert.equal(releaseServer.attributes['quantity.released'], 4);
    const event = ordersServer.events.find((e) => e.name === 'reservation_released');
    assert.equal(event?.attributes['reservation.released'], true);

    assert.equal(trace.filter((s) => s.kind === 'PRODUCER').length, 0, 'no event for an order that was not stored');
    const ordersDb = new Database(path.join(t.dataDir, 'orders.db'), { readonly: true });
    try {
      assert.equal((ordersDb.prepare('SELECT COUNT(*) AS n FROM orders WHERE order_id = ?').get(failedOrderId) as { n: number }).n, 0);
      assert.equal((ordersDb.prepare('SELECT COUNT(*) AS n FROM outbox WHERE order_id = ?').get(failedOrderId) as { n: number }).n, 0);
    } finally {
      ordersDb.close();
    }
  });

  it('a retried Release puts nothing back twice, and a Reserve after Release is refused', async () => {
    assert.ok(failedOrderId, 'needs the order of the previous test');
    const product = 'sku-webcam';
    const before = stockOf(product);
    const again = await inventory.release({ order_id: failedOrderId }, soon(5_000));
    assert.deepEqual({ released: again.released, quantity: again.quantity }, { released: false, quantity: 4 });
    assert.equal(stockOf(product), before);

    await assert.rejects(inventory.reserve({ order_id: failedOrderId, product_id: product, quantity: 4 }, soon(5_000)), (error) => {
      assert.ok(isServiceError(error));
      assert.equal(error.code, status.ABORTED);
      return true;
    });
    assert.equal(stockOf(product), before, 'a late Reserve of a released order takes no stock');

    // Release overtaking its Reserve (the Reserve's answer lost to a deadline): the late Reserve takes nothing.
    const orderId = 'order-released-before-reserve';
    const early = await inventory.release({ order_id: orderId }, soon(5_000));
    assert.equal(early.released, false);
    await assert.rejects(inventory.reserve({ order_id: orderId, product_id: product, quantity: 2 }, soon(5_000)), /was released/);
    assert.equal(stockOf(product), before);
  });

  it('other customers still place orders and keep their stock reserved', async () => {
    const order = validOrder(2);
    const before = stockOf(String(order.product_id));
    const res = await t.post(order);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(stockOf(String(order.product_id)), before - order.quantity);
    for (const s of t.shop.services.values()) assert.equal(s.child.exitCode, null, `${s.name} is running`);
  });
});
