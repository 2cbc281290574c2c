/**
 * `POST /api/orders` with an `Idempotency-Key`, over real HTTP through the
 * gateway. The first try times out at the gateway (504) while orders still
 * stores the order: CHAOS_SLOW_REPLY_CUSTOMER makes orders answer that
 * customer only after the caller's deadline. The client's retry with the same
 * key gets the first answer, and there is one order, one reservation and one
 * pair of events. Concurrent repeats create one order; a reused key with
 * another body is refused; a malformed key is a 400.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type TestShop, startTestShop, validOrder } from './support/shop.ts';

const SLOW = 'cust-slow-reply';
let t: TestShop;
before(async () => {
  t = await startTestShop({ serviceEnv: { orders: { CHAOS_SLOW_REPLY_CUSTOMER: SLOW } } });
});
after(async () => {
  await t?.close();
});

/** Rows per table for a customer, read from the services' own databases. */
function counts(customerId: string): { orders: number; reservations: number; outbox: number; keys: number } {
  const orders = new Database(path.join(t.dataDir, 'orders.db'), { readonly: true });
  const inventory = new Database(path.join(t.dataDir, 'inventory.db'), { readonly: true });
  try {
    const ids = (orders.prepare('SELECT order_id FROM orders WHERE customer_id = ?').all(customerId) as Array<{ order_id: string }>).map((r) => r.order_id);
    const one = (db: Database.Database, sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
    const inList = ids.map(() => '?').join(',') || "''";
    return {
      orders: ids.length,
      reservations: one(inventory, `SELECT COUNT(*) AS n FROM reservations WHERE order_id IN (${inList})`, ...ids),
      outbox: one(orders, `SELECT COUNT(*) AS n FROM outbox WHERE order_id IN (${inList})`, ...ids),
      keys: one(orders, 'SELECT COUNT(*) AS n FROM idempotency_keys WHERE customer_id = ?', customerId),
    };
  } finally {
    orders.close();
    inventory.close();
  }
}

const order = (customer: string, quantity = 1) => ({ ...validOrder(0), customer_id: customer, quantity });

describe('Idempotency-Key on POST /api/orders', () => {
  it('a retry after a 504 gets the first answer and creates no second order, reservation or event', async () => {
    const headers = { 'idempotency-key': 'retry-after-timeout-1', 'x-request-timeout-ms': '1500' };
    const first = await t.post(order(SLOW), { headers });
    assert.equal(first.status, 504, JSON.stringify(first.body));
    assert.deepEqual(counts(SLOW), { orders: 1, reservations: 1, outbox: 2, keys: 1 }, 'orders stored the order although the gateway gave up');

    const retry = await t.post(order(SLOW), { headers: { 'idempotency-key': '"retry-after-timeout-1"' } });
    assert.equal(retry.status, 201, JSON.stringify(retry.body));
    const stored = new Database(path.join(t.dataDir, 'orders.db'), { readonly: true });
    try {
      const row = stored.prepare('SELECT order_id, reservation_id FROM orders WHERE customer_id = ?').get(SLOW) as { order_id: string; reservation_id: string };
      assert.equal(retry.body.order_id, row.order_id, 'the first answer: the order the timed-out try created');
      assert.equal(retry.body.reservation_id, row.reservation_id);
    } finally {
      stored.close();
    }
    const again = await t.post(order(SLOW), { headers: { 'idempotency-key': 'retry-after-timeout-1' } });
    assert.deepEqual(again.body, retry.body);
    assert.deepEqual(counts(SLOW), { orders: 1, reservations: 1, outbox: 2, keys: 1 });
  });

  it('concurrent repeats of one request create one order: the others get it back or a 409 while it is in progress', async () => {
    const customer = 'cust-concurrent';
    const results = await Promise.all(Array.from({ length: 12 }, () => t.post(order(customer), { headers: { 'idempotency-key': 'same-click' } })));
    const created = results.filter((r) => r.status === 201);
    assert.ok(created.length >= 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(new Set(created.map((r) => r.body.order_id)).size, 1, 'every 201 is the same order');
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.field, 'idempotency-key');
    }
    assert.deepEqual(counts(customer), { orders: 1, reservations: 1, outbox: 2, keys: 1 });
  });

  it('the key is scoped to the customer, and a key reused for a different request is a 422', async () => {
    const a = await t.post(order('cust-scope-a'), { headers: { 'idempotency-key': 'shared-key' } });
    const b = await t.post(order('cust-scope-b'), { headers: { 'idempotency-key': 'shared-key' } });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.body.order_id, b.body.order_id);
    const reused = await t.post(order('cust-scope-a', 2), { headers: { 'idempotency-key': 'shared-key' } });
    assert.equal(reused.status, 422, JSON.stringify(reused.body));
    assert.equal(reused.body.field, 'idempotency-key');
    assert.equal(counts('cust-scope-a').orders, 1);
  });

  it('answers 400 to a key that is empty, too long, or has characters outside the allowed set, and creates nothing', async () => {
    const customer = 'cust-bad-key';
    for (const key of ['', 'x'.repeat(129), 'has space', 'a,b', 'quote"d', '"unterminated', 'k1, k2']) {
      const res = await t.post(order(customer), { headers: { 'idempotency-key': key } });
      assert.equal(res.status, 400, `${JSON.stringify(key)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.field, 'idempotency-key');
      assert.match(String(res.body.error), /^Idempotency-Key: must be 1-128 characters/);
    }
    const longest = await t.post(order(customer), { headers: { 'idempotency-key': 'K'.repeat(128) } });
    assert.equal(longest.status, 201);
    assert.equal(counts(customer).orders, 1);
  });
});
