/**
 * Shipping counts a delivery's failed attempts in its own database, so the
 * dead-letter limit (MAX_DELIVERY_ATTEMPTS=3) holds across a restart: a
 * message that failed once before shipping was SIGKILLed gets two more
 * tries after the restart, not three. A real order goes through the shop;
 * the failure is CHAOS_FAIL_CUSTOMER (simulated carrier outage) and
 * SHIPPING_RETRY_DELAY_MS holds the failed delivery long enough to kill the
 * process between two attempts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import Database from 'better-sqlite3';
import { type LogLine, startService } from '../../scripts/demo/launch.ts';
import { takeMessage } from '../support/amqp.ts';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, startTestShop, traceOfOrder, validOrder, waitForLogLine } from './support/shop.ts';

const UNLUCKY = 'cust-carrier-down';
const SHIPPING_ENV = { CHAOS_FAIL_CUSTOMER: UNLUCKY, MAX_DELIVERY_ATTEMPTS: '3', SHIPPING_RETRY_DELAY_MS: '1500' };

const logs: LogLine[] = [];
const onLog = (line: LogLine): void => void logs.push(line);
let t: TestShop;
before(async () => {
  t = await startTestShop({ serviceEnv: { shipping: SHIPPING_ENV }, onLog });
});
after(async () => {
  await t?.close();
});

const logLine = (pred: (json: Record<string, unknown>) => boolean, what: string) => waitForLogLine(logs, 'shipping', pred, what, 30_000);

function failuresRecorded(messageKey: string): number | undefined {
  const db = new Database(path.join(t.dataDir, 'shipping.db'), { readonly: true });
  try {
    return (db.prepare('SELECT failures FROM delivery_failures WHERE message_key = ?').get(messageKey) as { failures: number } | undefined)?.failures;
  } finally {
    db.close();
  }
}

describe('the delivery attempt count survives a shipping restart', () => {
  it('1 failure, SIGKILL, restart → 2 more attempts, then dead-lettered: 3 in all', async () => {
    const res = await t.post({ ...validOrder(5), customer_id: UNLUCKY });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const orderId = String(res.body.order_id);

    const first = await logLine((j) => j.msg === 'delivery failed, requeueing', 'first failed attempt');
    assert.equal(first.attempts, 1);
    const messageKey = String(first.message_id);
    // The failed delivery is still unacknowledged (held for SHIPPING_RETRY_DELAY_MS): the crash puts it back in the queue.
    const shipping = t.shop.services.get('shipping');
    assert.ok(shipping);
    shipping.child.kill('SIGKILL');
    await shipping.exited;
    assert.equal(shipping.child.signalCode, 'SIGKILL');
    assert.equal(failuresRecorded(messageKey), 1, 'the failure was on disk before the crash');

    logs.length = 0;
    const restarted = await startService('shipping', { ...t.env, ...SHIPPING_ENV }, { onLog });
    t.shop.services.set('shipping', restarted);

    const dead = await logLine((j) => j.msg === 'dead-lettering delivery' && j.message_id === messageKey, 'dead-lettering after the restart');
    assert.equal(dead.attempts, 3, 'the limit counts the attempt made before the restart');
    const retried = logs.filter((l) => l.service === 'shipping' && l.json?.msg === 'delivery failed, requeueing').map((l) => l.json?.attempts);
    assert.deepEqual(retried, [2], 'one requeue after the restart, not two');
    assert.equal(failuresRecorded(messageKey), undefined, 'a dead-lettered message leaves no count behind');

    // The trace: the restarted process's deliveries continue the count and end in the dead-letter queue.
    const spans = await t.sink.waitFor((all) => {
      const id = traceOfOrder(all, orderId);
      return id !== undefined && all.some((s) => s.traceId === id && s.service === 'shipping' && s.attributes['tracewire.amqp.outcome'] === 'nack');
    }, 30_000, 'dead-lettered delivery span');
    const traceId = traceOfOrder(spans, orderId) as string;
    await new Promise((r) => setTimeout(r, 400));
    const deliveries = t.sink
      .trace(traceId)
      .filter((s) => s.service === 'shipping' && s.kind === 'CONSUMER')
      .sort((a, b) => Number(a.startNs - b.startNs));
    // Attempt 1's span never ended: its process was killed during the retry delay.
    assert.deepEqual(
      deliveries.map((s: SinkSpan) => [s.attributes['tracewire.delivery.attempt'], s.attributes['tracewire.amqp.outcome']]),
      [
        [2, 'nack_requeue'],
        [3, 'nack'],
      ],
    );

    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      const channel = await connection.createChannel();
      const found = await takeMessage(channel, `${t.prefix}shipping.orders.dlq`, (m) => m.properties.messageId === messageKey);
      assert.ok(found, 'the delivery is in the dead-letter queue');
      assert.equal(String(found.properties.headers?.traceparent).split('-')[1], traceId);
      const queue = await channel.checkQueue(`${t.prefix}shipping.orders`);
      assert.equal(queue.messageCount, 0, 'nothing left to retry');
    } finally {
      await connection.close();
    }
    const db = new Database(path.join(t.dataDir, 'shipping.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?').get(orderId) as { n: number }).n, 0);
    } finally {
      db.close();
    }
  });

  it('after the restart other orders ship, and no failure count is left behind', async () => {
    const res = await t.post(validOrder(8));
    assert.equal(res.status, 201);
    const orderId = String(res.body.order_id);
    const deadline = Date.now() + 30_000;
    let shipped = 0;
    while (shipped === 0 && Date.now() < deadline) {
      const db = new Database(path.join(t.dataDir, 'shipping.db'), { readonly: true });
      shipped = (db.prepare('SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?').get(orderId) as { n: number }).n;
      db.close();
      if (shipped === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(shipped, 1);
    const db = new Database(path.join(t.dataDir, 'shipping.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM delivery_failures').get() as { n: number }).n, 0);
    } finally {
      db.close();
    }
  });
});
