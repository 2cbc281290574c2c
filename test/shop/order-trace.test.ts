import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, orphans, startTestShop, traceComplete, traceOfOrder, validOrder } from './support/shop.ts';

let t: TestShop;
before(async () => {
  t = await startTestShop();
});
after(async () => {
  await t?.close();
});

function one(trace: SinkSpan[], pred: (s: SinkSpan) => boolean, what: string): SinkSpan {
  const found = trace.filter(pred);
  assert.equal(found.length, 1, `expected one ${what}, found ${found.length}: ${trace.map((s) => `${s.service}:${s.kind}:${s.name}`).join(', ')}`);
  return found[0] as SinkSpan;
}

function assertChild(child: SinkSpan, parent: SinkSpan): void {
  assert.equal(child.parentSpanId, parent.spanId, `${child.service}:${child.name} should be a child of ${parent.service}:${parent.name}`);
}

/**
 * A child run inside its parent's work, in the same process, lies inside the parent in time, to
 * the nanosecond: both read one clock. (With the SDK's whole-millisecond starts it could begin up
 * to 1 ms before its parent: precise-start.ts.)
 */
function assertNested(child: SinkSpan, parent: SinkSpan): void {
  const what = `${child.service}:${child.name} inside ${parent.service}:${parent.name}`;
  assert.equal(child.service, parent.service);
  assert.ok(child.startNs >= parent.startNs, `${what}: starts ${parent.startNs - child.startNs} ns before it`);
  assert.ok(child.endNs <= parent.endNs, `${what}: ends ${child.endNs - parent.endNs} ns after it`);
}

/** `later` began after `earlier` had ended (awaited one after the other). */
function assertAfter(later: SinkSpan, earlier: SinkSpan): void {
  assert.ok(later.startNs >= earlier.endNs, `${later.name} starts ${earlier.endNs - later.startNs} ns before ${earlier.name} ends`);
}

describe('one order, one trace', () => {
  it('POST /api/orders yields one connected trace across all five services, in the right shape', async () => {
    const res = await t.post(validOrder(1));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const orderId = String(res.body.order_id);

    const spans = await t.sink.waitFor((all) => {
      const id = traceOfOrder(all, orderId);
      return id !== undefined && traceComplete(all, id);
    }, 60_000, `complete trace of ${orderId}`);
    const traceId = traceOfOrder(spans, orderId) as string;
    // Late spans of the same trace (a producer ending after its consumer) get a moment to arrive.
    await new Promise((r) => setTimeout(r, 500));
    const trace = t.sink.trace(traceId);

    const topic = `${t.prefix}order-events`;
    const exchange = `${t.prefix}orders`;
    const gateway = one(trace, (s) => s.service === 'gateway' && s.kind === 'SERVER', 'gateway SERVER');
    assert.equal(gateway.name, 'POST /api/orders');
    assert.equal(gateway.parentSpanId, undefined, 'gateway SERVER is the root');
    assert.equal(gateway.attributes['order.id'], orderId);
    assert.equal(gateway.attributes['customer.id'], 'cust-1');
    assert.equal(gateway.attributes['product.id'], 'sku-mouse');
    assert.equal(gateway.attributes['http.response.status_code'], 201);

    const createClient = one(trace, (s) => s.service === 'gateway' && s.kind === 'CLIENT', 'gateway → orders CLIENT');
    assert.equal(createClient.name, 'tracewire.shop.v1.OrderService/CreateOrder');
    assertChild(createClient, gateway);
    const ordersServer = one(trace, (s) => s.service === 'orders' && s.kind === 'SERVER', 'orders SERVER');
    assertChild(ordersServer, createClient);

    const inventoryClients = new Map<string, SinkSpan>();
    for (const method of ['CheckStock', 'Reserve']) {
      const client = one(trace, (s) => s.service === 'orders' && s.name === `tracewire.shop.v1.InventoryService/${method}`, `${method} CLIENT`);
      inventoryClients.set(method, client);
      assert.equal(client.kind, 'CLIENT');
      assertChild(client, ordersServer);
      const server = one(trace, (s) => s.service === 'inventory' && s.kind === 'SERVER' && s.name.endsWith(`/${method}`), `${method} SERVER`);
      assertChild(server, client);
    }

    const insert = one(trace, (s) => s.service === 'orders' && s.name === 'INSERT orders', 'orders database CLIENT');
    assert.equal(insert.kind, 'CLIENT');
    assertChild(insert, ordersServer);
    assert.equal(insert.attributes['db.system.name'], 'sqlite');
    assert.equal(insert.attributes['db.operation.name'], 'INSERT');
    assert.equal(insert.attributes['db.collection.name'], 'orders');
    const query = String(insert.attributes['db.query.text']);
    assert.match(query, /INSERT INTO orders/);
    assert.ok(!query.includes(orderId) && !query.includes('cust-1'), 'no literal values in db.query.text');
    const outboxInserts = trace.filter((s) => s.name === 'INSERT outbox');
    assert.equal(outboxInserts.length, 2, 'two outbox rows written in the same request');

    const send = one(trace, (s) => s.kind === 'PRODUCER' && s.name === `send ${topic}`, 'Kafka PRODUCER');
    assert.equal(send.service, 'orders');
    assertChild(send, ordersServer);
    assert.equal(send.attributes['messaging.kafka.message.key'], orderId);
    const kafkaConsumer = one(trace, (s) => s.service === 'notifications' && s.kind === 'CONSUMER', 'notifications CONSUMER');
    assert.equal(kafkaConsumer.name, `process ${topic}`);
    assertChild(kafkaConsumer, send);
    // The relay's sends share produce requests; the PRODUCER span still names where its record landed.
    assert.notEqual(send.attributes['messaging.kafka.offset'], undefined, 'PRODUCER span has an offset');
    for (const attribute of ['messaging.destination.partition.id', 'messaging.kafka.offset']) {
      assert.equal(String(send.attributes[attribute]), String(kafkaConsumer.attributes[attribute]), `${attribute} as consumed`);
    }
    const processNotification = one(trace, (s) => s.name === 'process-notification', 'process-notification');
    assertChild(processNotification, kafkaConsumer);
    assertChild(one(trace, (s) => s.name === 'send-email', 'send-email'), processNotification);
    assertChild(one(trace, (s) => s.name === 'send-sms', 'send-sms'), processNotification);

    const publish = one(trace, (s) => s.kind === 'PRODUCER' && s.name === `publish ${exchange}`, 'RabbitMQ PRODUCER');
    assert.equal(publish.service, 'orders');
    assertChild(publish, ordersServer);
    const shippingConsumer = one(trace, (s) => s.service === 'shipping' && s.kind === 'CONSUMER', 'shipping CONSUMER');
    assert.equal(shippingConsumer.name, `process ${exchange}`);
    assertChild(shippingConsumer, publish);
    assertChild(one(trace, (s) => s.name === 'create-shipment', 'create-shipment'), shippingConsumer);

    // Timing shape: synchronous children sit inside their parents, awaited steps follow each other.
    const checkStock = inventoryClients.get('CheckStock') as SinkSpan;
    const reserve = inventoryClients.get('Reserve') as SinkSpan;
    assertNested(createClient, gateway);
    for (const child of [checkStock, reserve, insert, ...outboxInserts]) assertNested(child, ordersServer);
    assertAfter(reserve, checkStock);
    assertAfter(insert, reserve);
    for (const server of trace.filter((s) => s.service === 'inventory' && s.kind === 'SERVER')) {
      const statements = trace.filter((s) => s.parentSpanId === server.spanId);
      assert.ok(statements.length > 0, `${server.name} ran SQL`);
      for (const statement of statements) assertNested(statement, server);
    }
    assertNested(processNotification, kafkaConsumer);

    assert.deepEqual(orphans(trace).map((s) => `${s.service}:${s.name}`), [], 'every span is connected to the root');
    assert.equal(trace.filter((s) => s.parentSpanId === undefined).length, 1, 'exactly one root');
    assert.deepEqual([...new Set(trace.map((s) => s.service))].sort(), ['gateway', 'inventory', 'notifications', 'orders', 'shipping']);
    assert.ok(trace.every((s) => s.status.code !== 'ERROR'), 'no ERROR span on the happy path');

    const got = await fetch(`${t.shop.gatewayUrl}/api/orders/${orderId}`);
    assert.equal(got.status, 200);
    assert.equal(((await got.json()) as { status: string }).status, 'CREATED');
  });
});
