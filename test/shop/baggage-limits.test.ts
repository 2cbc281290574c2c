/**
 * A client's oversized `baggage` header, over real HTTP through the gateway:
 * what orders stores in its outbox and what the relay publishes to Kafka and
 * RabbitMQ is the header cut at a member boundary within the W3C limits (180
 * list-members, 8192 bytes), never the header whole and never a member from
 * past the limit (the library applies the limits on extract, in every service).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Message } from '@platformatic/kafka';
import { type Rabbit, connectRabbit, takeMessage } from '../support/amqp.ts';
import { consumeTopic } from '../support/kafka.ts';
import { eventually } from '../support/memory-tracing.ts';
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_MEMBERS, isSendableBaggage, parseBaggageSpec } from '../support/w3c.ts';
import { type TestShop, startTestShop, validOrder } from './support/shop.ts';

let t: TestShop;
let rabbit: Rabbit;
let queue = '';

before(async () => {
  t = await startTestShop();
  rabbit = await connectRabbit();
  // A queue of our own on the shop's exchange sees every order.created the relay publishes.
  await rabbit.channel.assertExchange(`${t.prefix}orders`, 'topic', { durable: true });
  queue = (await rabbit.channel.assertQueue('', { exclusive: true, autoDelete: true })).queue;
  await rabbit.channel.bindQueue(queue, `${t.prefix}orders`, 'order.created');
});
after(async () => {
  await rabbit?.close();
  await t?.close();
});

/** Outbox rows of an order, once both are marked sent. */
async function sentRows(orderId: string): Promise<Array<{ destination: string; baggage: string | null }>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const db = new Database(path.join(t.dataDir, 'orders.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT destination, baggage, sent_at FROM outbox WHERE order_id = ?').all(orderId) as Array<{ destination: string; baggage: string | null; sent_at: string | null }>;
      if (rows.length === 2 && rows.every((r) => r.sent_at)) return rows;
    } finally {
      db.close();
    }
    if (Date.now() > deadline) throw new Error(`outbox rows of ${orderId} not sent`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const headerText = (headers: Map<unknown, unknown> | undefined, name: string): string | undefined => {
  for (const [k, v] of headers ?? []) if (String(k) === name) return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return undefined;
};

/** Posts an order with `baggage`; returns the baggage header the outbox, Kafka and RabbitMQ got. */
async function placeWithBaggage(baggage: string, i: number): Promise<{ outbox: Array<string | null>; kafka?: string; rabbit?: string }> {
  const res = await t.post(validOrder(i), { headers: { baggage } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const orderId = String(res.body.order_id);
  const rows = await sentRows(orderId);
  const got = await takeMessage(rabbit.channel, queue, (m) => m.content.toString().includes(orderId));
  const collector = await consumeTopic(`${t.prefix}order-events`, () => {});
  let kafka: Message | undefined;
  try {
    kafka = await eventually(() => collector.messages.find((m) => String(m.key) === orderId), 30_000, `Kafka record of ${orderId}`);
  } finally {
    await collector.close();
  }
  return {
    outbox: rows.map((r) => r.baggage),
    kafka: headerText(kafka?.headers as Map<unknown, unknown> | undefined, 'baggage'),
    rabbit: got?.properties.headers?.baggage === undefined ? undefined : String(got.properties.headers.baggage),
  };
}

describe('oversized client baggage through the gateway', () => {
  it(`is cut at the last whole member within ${BAGGAGE_MAX_BYTES} bytes: members past the limit never reach the outbox or the brokers`, async () => {
    const header = `pad1=${'x'.repeat(5000)},pad2=${'y'.repeat(5000)},smuggled=1`;
    const expected = parseBaggageSpec([header]).map((e) => `${e.key}=${e.value}`).join(',');
    assert.equal(expected, `pad1=${'x'.repeat(5000)}`);
    const seen = await placeWithBaggage(header, 1);
    for (const [where, value] of [['outbox kafka row', seen.outbox[0]], ['outbox rabbitmq row', seen.outbox[1]], ['Kafka', seen.kafka], ['RabbitMQ', seen.rabbit]] as const) {
      assert.equal(value, expected, `${where}: ${String(value).slice(0, 60)}…`);
    }
  });

  it(`keeps the first ${BAGGAGE_MAX_MEMBERS} of more members, and drops members that are not W3C baggage`, async () => {
    const header = ['bad key=1', 'k="q"', ...Array.from({ length: 300 }, (_, i) => `m${i}=v${i}`)].join(',');
    const expected = parseBaggageSpec([header]).map((e) => `${e.key}=${e.value}`).join(',');
    assert.equal(expected.split(',').length, BAGGAGE_MAX_MEMBERS - 2);
    const seen = await placeWithBaggage(header, 2);
    for (const value of [...seen.outbox, seen.kafka, seen.rabbit]) {
      assert.equal(value, expected);
      assert.ok(value && isSendableBaggage(value));
    }
  });
});
