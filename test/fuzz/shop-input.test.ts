/**
 * Hostile input into the real shop processes:
 *
 * - Gateway request bodies: random JSON (any shape), order-shaped objects
 *   with wrong types, random bytes, random content types → only the
 *   documented answers (201, 400, 409, 413, 415, 422), never a 5xx; the
 *   gateway stays up.
 * - Kafka headers (notifications' consumer): raw bytes, invalid UTF-8, huge
 *   and empty values, under `traceparent` / `tracestate` / `baggage` and
 *   random keys, on messages with valid bodies: every event is processed
 *   once, the consumer never crashes.
 * - AMQP headers (shipping's consumer): the trace keys and random keys with
 *   values of every AMQP field type (numbers, booleans, null, byte arrays,
 *   arrays, nested tables): every event shipped once, no crash.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { testProducer } from '../support/kafka.ts';
import { type TestShop, startTestShop, validOrder } from '../shop/support/shop.ts';
import { sleep } from '../faults/support.ts';

const DOCUMENTED = new Set([201, 400, 409, 413, 415, 422]);
let t: TestShop;
before(async () => {
  t = await startTestShop();
});
after(async () => {
  await t?.close();
});

function count(file: string, sql: string): number {
  const db = new Database(path.join(t.dataDir, file), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function waitCount(file: string, sql: string, want: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let n = count(file, sql);
  while (n < want && Date.now() < deadline) {
    await sleep(250);
    n = count(file, sql);
  }
  return n;
}

function event(tag: string) {
  const id = `${tag}-${randomUUID()}`;
  return { event_id: `evt-${id}`, type: 'order_created', order_id: id, customer_id: 'cust-fuzz', product_id: 'sku-mouse', quantity: 1, amount: 1, created_at: new Date().toISOString() };
}

const traceKeys = fc.constantFrom('traceparent', 'tracestate', 'baggage', 'TraceParent', 'x-random', '');

describe('hostile input into the shop', () => {
  it('gateway: 400 random bodies → documented 4xx (or 201), never 5xx', async () => {
    const statuses = new Map<number, number>();
    // Mostly valid field values, so that many bodies get past validation to orders and inventory.
    const mostly = <T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: wrong });
    const orderShaped = fc.record(
      {
        customer_id: mostly(fc.string({ minLength: 1, maxLength: 20 }), fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string()), fc.constant(''))),
        product_id: mostly(fc.constantFrom('sku-mouse', 'sku-keyboard', 'sku-sold-out', 'nope'), fc.oneof(fc.string(), fc.integer())),
        quantity: mostly(fc.integer({ min: 1, max: 3 }), fc.oneof(fc.integer({ min: -5, max: 0 }), fc.double(), fc.string(), fc.constant(null), fc.constant(1e308))),
        amount: mostly(fc.double({ min: 0, max: 1000, noNaN: true }), fc.oneof(fc.double(), fc.string(), fc.boolean())),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      { weight: 3, arbitrary: orderShaped.map((v) => JSON.stringify(v)) },
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.string({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(body, mostly(fc.constantFrom('application/json', 'application/json; charset=utf-8'), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', '')), async (raw, type) => {
        const res = await fetch(`${t.shop.gatewayUrl}/api/orders`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body: raw });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(DOCUMENTED.has(res.status), `${res.status} for ${JSON.stringify(raw).slice(0, 200)} (${type}): ${text}`);
        assert.equal(typeof (JSON.parse(text) as Record<string, unknown>).error === 'string' || res.status === 201, true);
      }),
      { numRuns: 400 },
    );
    const ok = await t.post(validOrder(1));
    assert.equal(ok.status, 201);
    assert.equal(t.shop.services.get('gateway')?.child.exitCode, null);
    console.log(`# figures gateway-fuzz: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  it('Kafka: 200 messages with hostile header values → each processed once, consumer alive', async () => {
    const producer = testProducer();
    const topic = `${t.prefix}order-events`;
    const value = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.constant(Buffer.from([0xff, 0xfe, 0xc3, 0x28])),
      fc.constant(Buffer.alloc(10_000, 0x2d)),
      fc.constant(Buffer.alloc(0)),
      fc.string({ maxLength: 80 }),
      fc.constantFrom('00-' + 'f'.repeat(32) + '-' + 'f'.repeat(16) + '-01', '00-00000000000000000000000000000000-0000000000000000-01', 'ff-x', 'k=v,'.repeat(100)),
    );
    const base = count('notifications.db', "SELECT COUNT(*) AS n FROM processed_events WHERE order_id LIKE 'kafka-%'");
    let sent = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.dictionary(traceKeys, value, { maxKeys: 5 }), async (headers) => {
          const e = event('kafka');
          await producer.send({ messages: [{ topic, key: e.order_id, value: JSON.stringify(e), headers: headers as Record<string, string | Buffer> }] });
          sent++;
        }),
        { numRuns: 200 },
      );
    } finally {
      await producer.close();
    }
    const done = await waitCount('notifications.db', "SELECT COUNT(*) AS n FROM processed_events WHERE order_id LIKE 'kafka-%'", base + sent, 90_000);
    assert.equal(done - base, sent, 'every message processed exactly once');
    assert.equal(t.shop.services.get('notifications')?.child.exitCode, null, 'notifications alive');
    console.log(`# figures kafka-header-fuzz: ${JSON.stringify({ sent, processed: done - base })}`);
  });

  it('AMQP: 200 messages with header values of every field type → each shipped once, consumer alive', async () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      fc.constantFrom('00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01', 'garbage', ''),
    );
    const amqpValue = fc.oneof(leaf, fc.array(leaf, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), leaf, { maxKeys: 3 }));
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const base = count('shipping.db', "SELECT COUNT(*) AS n FROM shipments WHERE order_id LIKE 'amqp-%'");
    let sent = 0;
    let unencodable = 0;
    try {
      const channel = await connection.createConfirmChannel();
      await fc.assert(
        fc.asyncProperty(fc.dictionary(traceKeys, amqpValue, { maxKeys: 5 }), async (headers) => {
          const e = event('amqp');
          try {
            channel.publish(`${t.prefix}orders`, 'order.created', Buffer.from(JSON.stringify(e)), { messageId: e.event_id, headers });
          } catch {
            unencodable++; // amqplib refuses to encode it: it never reaches the consumer
            return;
          }
          await channel.waitForConfirms();
          sent++;
        }),
        { numRuns: 200 },
      );
    } finally {
      await connection.close();
    }
    const done = await waitCount('shipping.db', "SELECT COUNT(*) AS n FROM shipments WHERE order_id LIKE 'amqp-%'", base + sent, 90_000);
    assert.equal(done - base, sent, 'every delivery shipped exactly once');
    assert.equal(t.shop.services.get('shipping')?.child.exitCode, null, 'shipping alive');
    console.log(`# figures amqp-header-fuzz: ${JSON.stringify({ sent, unencodable, shipped: done - base })}`);
  });
});
