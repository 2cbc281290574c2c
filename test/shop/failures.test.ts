/**
 * What clients and brokers can throw at the shop: invalid bodies, wrong
 * content types, oversize bodies, unknown products, sold-out stock, tight
 * deadlines, poison messages. Each gets its documented answer, errors show
 * as ERROR spans where they are errors, and nothing crashes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import amqp from 'amqplib';
import Database from 'better-sqlite3';
import { takeMessage } from '../support/amqp.ts';
import { consumeTopic, testProducer } from '../support/kafka.ts';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, startTestShop, traceComplete, traceOfOrder, validOrder } from './support/shop.ts';

const UNLUCKY = 'cust-unlucky';
let t: TestShop;
before(async () => {
  t = await startTestShop({ env: { CHAOS_FAIL_CUSTOMER: UNLUCKY } });
});
after(async () => {
  await t?.close();
});

async function gatewaySpanFor(status: number, after: bigint): Promise<SinkSpan[]> {
  const spans = await t.sink.waitFor(
    (all) => all.some((s) => s.service === 'gateway' && s.kind === 'SERVER' && s.attributes['http.response.status_code'] === status && s.startNs >= after),
    30_000,
    `gateway span with status ${status}`,
  );
  const server = spans.find((s) => s.service === 'gateway' && s.kind === 'SERVER' && s.attributes['http.response.status_code'] === status && s.startNs >= after) as SinkSpan;
  await new Promise((r) => setTimeout(r, 400));
  return t.sink.trace(server.traceId);
}

const nowNs = (): bigint => BigInt(Date.now() - 5) * 1_000_000n;

describe('gateway answers bad requests with the documented status and body', () => {
  const cases: Array<{ name: string; body?: unknown; raw?: string; headers?: Record<string, string>; status: number; field?: string }> = [
    { name: 'missing quantity', body: { customer_id: 'c', product_id: 'sku-mouse', amount: 1 }, status: 400, field: 'quantity' },
    { name: 'zero quantity', body: { ...validOrder(), quantity: 0 }, status: 400, field: 'quantity' },
    { name: 'fractional quantity', body: { ...validOrder(), quantity: 1.5 }, status: 400, field: 'quantity' },
    { name: 'quantity as a string', body: { ...validOrder(), quantity: '2' }, status: 400, field: 'quantity' },
    { name: 'negative amount', body: { ...validOrder(), amount: -3 }, status: 400, field: 'amount' },
    { name: 'empty customer', body: { ...validOrder(), customer_id: '' }, status: 400, field: 'customer_id' },
    { name: 'JSON array', body: [1, 2], status: 400 },
    { name: 'broken JSON', raw: '{"customer_id": ', status: 400 },
    { name: 'wrong content type', raw: 'customer_id=1', headers: { 'content-type': 'text/plain' }, status: 415 },
    { name: 'oversized body', raw: JSON.stringify({ ...validOrder(), pad: 'x'.repeat(70 * 1024) }), status: 413 },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const res = await t.post(c.body, { ...(c.raw !== undefined ? { raw: c.raw } : {}), ...(c.headers ? { headers: c.headers } : {}) });
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      assert.equal(typeof res.body.error, 'string');
      if (c.field) assert.equal(res.body.field, c.field);
    });
  }

  it('unknown route and unknown order → 404', async () => {
    assert.equal((await fetch(`${t.shop.gatewayUrl}/api/nope`)).status, 404);
    const res = await fetch(`${t.shop.gatewayUrl}/api/orders/00000000-0000-0000-0000-000000000000`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /order not found/);
    assert.equal((await fetch(`${t.shop.gatewayUrl}/api/orders/%E0%A4%A`)).status, 404, 'malformed escape');
    assert.equal((await fetch(`${t.shop.gatewayUrl}/api/orders`)).status, 405, 'GET on the collection');
  });

  it('unknown product → 422 naming product_id; the gRPC CLIENT spans are ERROR, the trace stays connected', async () => {
    const start = nowNs();
    const res = await t.post({ ...validOrder(), product_id: 'sku-does-not-exist' });
    assert.equal(res.status, 422);
    assert.equal(res.body.field, 'product_id');
    const trace = await gatewaySpanFor(422, start);
    const clients = trace.filter((s) => s.kind === 'CLIENT' && s.name.includes('Service/'));
    assert.ok(clients.length >= 2, 'gateway → orders and orders → inventory');
    for (const c of clients) assert.equal(c.status.code, 'ERROR', `${c.service}:${c.name}`);
    assert.equal(trace.find((s) => s.kind === 'CLIENT' && s.name.endsWith('/CheckStock'))?.attributes['rpc.grpc.status_code'], 5);
  });

  it('out of stock → 409; FAILED_PRECONDITION is an ERROR on the gateway → orders CLIENT span and an event on orders', async () => {
    const start = nowNs();
    const res = await t.post({ ...validOrder(), product_id: 'sku-sold-out' });
    assert.equal(res.status, 409);
    assert.match(String(res.body.error), /out of stock/);
    const trace = await gatewaySpanFor(409, start);
    const client = trace.find((s) => s.service === 'gateway' && s.kind === 'CLIENT') as SinkSpan;
    assert.equal(client.status.code, 'ERROR');
    assert.equal(client.attributes['rpc.grpc.status_code'], 9);
    const ordersServer = trace.find((s) => s.service === 'orders' && s.kind === 'SERVER') as SinkSpan;
    assert.ok(ordersServer.events.some((e) => e.name === 'out_of_stock'));
    assert.equal(trace.filter((s) => s.kind === 'PRODUCER').length, 0, 'no event for an order that was not placed');
  });

  it('a deadline the caller cannot meet → 504 and an ERROR gateway span', async () => {
    const start = nowNs();
    const res = await t.post(validOrder(), { headers: { 'x-request-timeout-ms': '1' } });
    assert.equal(res.status, 504);
    const trace = await gatewaySpanFor(504, start);
    const server = trace.find((s) => s.service === 'gateway' && s.kind === 'SERVER') as SinkSpan;
    assert.equal(server.status.code, 'ERROR');
  });

  it('after all that, every service still serves orders', async () => {
    const health = await fetch(`${t.shop.gatewayUrl}/healthz`);
    assert.equal(health.status, 200);
    const res = await t.post(validOrder(7));
    assert.equal(res.status, 201);
    for (const s of t.shop.services.values()) assert.equal(s.child.exitCode, null, `${s.name} is running`);
  });
});

function traceparent(): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

describe('poison messages are dead-lettered with their trace context', () => {
  it('Kafka: an unparseable record lands in order-events.dlq, same trace, failure on the CONSUMER span', async () => {
    const topic = `${t.prefix}order-events`;
    const { traceId, header } = traceparent();
    const dlq: Array<{ headers: Map<Buffer, Buffer>; value: Buffer }> = [];
    const collector = await consumeTopic(`${topic}.dlq`, (m) => void dlq.push({ headers: m.headers, value: m.value }));
    const producer = testProducer();
    try {
      await producer.send({ messages: [{ topic, key: 'poison-1', value: 'this is not json', headers: { traceparent: header } }] });
      const deadline = Date.now() + 40_000;
      while (dlq.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(dlq.length, 1, 'one record in the dead-letter topic');
      const headers = new Map([...(dlq[0]?.headers ?? new Map())].map(([k, v]) => [k.toString(), v.toString()]));
      assert.equal(dlq[0]?.value.toString(), 'this is not json');
      assert.equal(headers.get('x-original-traceparent'), header);
      assert.equal(headers.get('traceparent')?.split('-')[1], traceId, 'dead letter continues the same trace');
      assert.match(headers.get('x-error') ?? '', /not JSON/);
      assert.equal(headers.get('x-original-topic'), topic);
    } finally {
      await producer.close();
      await collector.close();
    }
    const spans = await t.sink.waitFor((all) => all.some((s) => s.traceId === traceId && s.kind === 'PRODUCER'), 30_000, 'DLQ producer span');
    const trace = spans.filter((s) => s.traceId === traceId);
    const consumer = trace.find((s) => s.service === 'notifications' && s.kind === 'CONSUMER') as SinkSpan;
    assert.equal(consumer.status.code, 'ERROR');
    assert.equal(consumer.attributes['tracewire.dead_lettered'], true);
    assert.ok(consumer.events.some((e) => e.name === 'exception'));
    const send = trace.find((s) => s.kind === 'PRODUCER') as SinkSpan;
    assert.equal(send.name, `send ${topic}.dlq`);
    assert.equal(send.parentSpanId, consumer.spanId);
  });

  it('RabbitMQ: an unparseable delivery is rejected into shipping.orders.dlq with its headers', async () => {
    const { traceId, header } = traceparent();
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(`${t.prefix}orders`, 'order.created', Buffer.from('{"type":"order_created"}'), {
        headers: { traceparent: header },
        messageId: 'poison-2',
      });
      await channel.waitForConfirms();
      const got = await takeMessage(channel, `${t.prefix}shipping.orders.dlq`, () => true, 40_000);
      assert.ok(got, 'a message in the dead-letter queue');
      assert.equal(got.properties.headers?.traceparent, header, 'trace context kept');
      assert.ok(Array.isArray(got.properties.headers?.['x-death']), 'dead-lettered by the broker');
    } finally {
      await connection.close();
    }
    const spans = await t.sink.waitFor((all) => all.some((s) => s.traceId === traceId && s.service === 'shipping'), 30_000, 'shipping span');
    const consumer = spans.find((s) => s.traceId === traceId && s.service === 'shipping' && s.kind === 'CONSUMER') as SinkSpan;
    assert.equal(consumer.status.code, 'ERROR');
    assert.equal(consumer.attributes['tracewire.amqp.outcome'], 'nack');
    assert.equal(spans.filter((s) => s.traceId === traceId && s.name === 'create-shipment').length, 0);
  });
});

describe('redelivery', () => {
  it('an event delivered twice on each broker has its effect once; the duplicate is marked on its span', async () => {
    const res = await t.post(validOrder(11));
    assert.equal(res.status, 201);
    const orderId = String(res.body.order_id);
    const spans = await t.sink.waitFor((all) => {
      const id = traceOfOrder(all, orderId);
      return id !== undefined && traceComplete(all, id);
    }, 60_000, 'order delivered');
    const traceId = traceOfOrder(spans, orderId) as string;

    // Replay exactly what the relay sent (same event ids, same stored context), as a resend after a crash would.
    const ordersDb = new Database(path.join(t.dataDir, 'orders.db'), { readonly: true });
    const rows = ordersDb.prepare('SELECT destination, payload, traceparent FROM outbox WHERE order_id = ?').all(orderId) as Array<{ destination: string; payload: string; traceparent: string }>;
    ordersDb.close();
    assert.equal(rows.length, 2);
    const kafkaRow = rows.find((r) => r.destination === 'kafka')!;
    const rabbitRow = rows.find((r) => r.destination === 'rabbitmq')!;
    const producer = testProducer();
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      await producer.send({ messages: [{ topic: `${t.prefix}order-events`, key: orderId, value: kafkaRow.payload, headers: { traceparent: kafkaRow.traceparent } }] });
      const channel = await connection.createConfirmChannel();
      channel.publish(`${t.prefix}orders`, 'order.created', Buffer.from(rabbitRow.payload), { headers: { traceparent: rabbitRow.traceparent } });
      await channel.waitForConfirms();
    } finally {
      await producer.close();
      await connection.close();
    }

    const isDuplicate = (s: SinkSpan, service: string) => s.traceId === traceId && s.service === service && s.kind === 'CONSUMER' && s.attributes['tracewire.duplicate'] === true;
    await t.sink.waitFor((all) => all.some((s) => isDuplicate(s, 'notifications')) && all.some((s) => isDuplicate(s, 'shipping')), 40_000, 'duplicate deliveries processed');
    const trace = t.sink.trace(traceId);
    assert.equal(trace.filter((s) => s.name === 'process-notification').length, 1);
    assert.equal(trace.filter((s) => s.name === 'create-shipment').length, 1);

    const notifications = new Database(path.join(t.dataDir, 'notifications.db'), { readonly: true });
    const shipping = new Database(path.join(t.dataDir, 'shipping.db'), { readonly: true });
    try {
      assert.equal((notifications.prepare('SELECT COUNT(*) AS n FROM notifications WHERE order_id = ?').get(orderId) as { n: number }).n, 2);
      assert.equal((shipping.prepare('SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?').get(orderId) as { n: number }).n, 1);
    } finally {
      notifications.close();
      shipping.close();
    }
  });
});

describe('deliveries that keep failing', () => {
  it('are tried 3 times on each broker, then dead-lettered in the order trace; no effect is stored', async () => {
    const topic = `${t.prefix}order-events`;
    const kafkaDlq: Array<{ key: string; headers: Map<string, string> }> = [];
    const collector = await consumeTopic(`${topic}.dlq`, (m) =>
      void kafkaDlq.push({ key: m.key?.toString() ?? '', headers: new Map([...m.headers].map(([k, v]) => [k.toString(), v.toString()])) }),
    );
    let orderId = '';
    let traceId = '';
    try {
      const res = await t.post({ ...validOrder(3), customer_id: UNLUCKY });
      assert.equal(res.status, 201, 'the order itself is placed');
      orderId = String(res.body.order_id);
      const spans = await t.sink.waitFor((all) => {
        const id = traceOfOrder(all, orderId);
        if (!id) return false;
        const trace = all.filter((s) => s.traceId === id);
        return (
          trace.some((s) => s.kind === 'PRODUCER' && s.name === `send ${topic}.dlq`) &&
          trace.some((s) => s.service === 'shipping' && s.attributes['tracewire.amqp.outcome'] === 'nack')
        );
      }, 60_000, 'both deliveries dead-lettered');
      traceId = traceOfOrder(spans, orderId) as string;
      const deadline = Date.now() + 30_000;
      while (!kafkaDlq.some((m) => m.key === orderId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await collector.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    const trace = t.sink.trace(traceId);

    const send = trace.find((s) => s.kind === 'PRODUCER' && s.name === `send ${topic}`) as SinkSpan;
    const attempts = trace.filter((s) => s.service === 'notifications' && s.kind === 'CONSUMER').sort((a, b) => Number(a.startNs - b.startNs));
    assert.deepEqual(attempts.map((s) => s.attributes['tracewire.delivery.attempt']), [1, 2, 3]);
    for (const a of attempts) {
      assert.equal(a.parentSpanId, send.spanId);
      assert.equal(a.status.code, 'ERROR');
    }
    assert.equal(attempts[2]?.attributes['tracewire.dead_lettered'], true);
    const dlqSend = trace.find((s) => s.name === `send ${topic}.dlq`) as SinkSpan;
    assert.equal(dlqSend.parentSpanId, attempts[2]?.spanId);

    const dead = kafkaDlq.find((m) => m.key === orderId);
    assert.ok(dead, 'the record is in the Kafka dead-letter topic');
    assert.equal(dead.headers.get('traceparent')?.split('-')[1], traceId);
    assert.equal(dead.headers.get('x-original-traceparent')?.split('-')[2], send.spanId, 'original context kept');
    assert.equal(dead.headers.get('x-attempts'), '3');
    assert.match(dead.headers.get('x-error') ?? '', /simulated email provider outage/);

    const publish = trace.find((s) => s.kind === 'PRODUCER' && s.name === `publish ${t.prefix}orders`) as SinkSpan;
    const deliveries = trace.filter((s) => s.service === 'shipping' && s.kind === 'CONSUMER').sort((a, b) => Number(a.startNs - b.startNs));
    assert.deepEqual(deliveries.map((s) => s.attributes['tracewire.amqp.outcome']), ['nack_requeue', 'nack_requeue', 'nack']);
    for (const d of deliveries) {
      assert.equal(d.parentSpanId, publish.spanId);
      assert.equal(d.status.code, 'ERROR');
    }

    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      const channel = await connection.createChannel();
      const found = await takeMessage(channel, `${t.prefix}shipping.orders.dlq`, (m) => String(m.properties.headers?.traceparent ?? '').includes(traceId));
      assert.ok(found, 'the delivery is in the RabbitMQ dead-letter queue with the order trace context');
      assert.equal(String(found.properties.headers?.traceparent).split('-')[2], publish.spanId);
    } finally {
      await connection.close();
    }

    const notifications = new Database(path.join(t.dataDir, 'notifications.db'), { readonly: true });
    const shipping = new Database(path.join(t.dataDir, 'shipping.db'), { readonly: true });
    try {
      assert.equal((notifications.prepare('SELECT COUNT(*) AS n FROM notifications WHERE order_id = ?').get(orderId) as { n: number }).n, 0);
      assert.equal((shipping.prepare('SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?').get(orderId) as { n: number }).n, 0);
    } finally {
      notifications.close();
      shipping.close();
    }
  });
});
