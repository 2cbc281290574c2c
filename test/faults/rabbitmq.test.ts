/**
 * RabbitMQ faults against the real shop (orders' outbox → exchange →
 * shipping's idempotent consumer):
 *
 * 1. The broker is stopped and restarted while orders keep coming: every
 *    order is accepted, every order_created event reaches shipping and is
 *    applied exactly once (one shipment, one processed event), and each
 *    order's trace stays connected (no orphan spans).
 * 2. The shipping consumer is SIGKILLed while it holds a delivery it has
 *    not acknowledged (its store is write-locked by the test, so the handler
 *    cannot finish): the broker requeues it, the restarted consumer applies
 *    it once, and a copy of the same event (a redelivery after a lost ack)
 *    is recognised as a duplicate.
 *
 * Both stop shared things (the broker, a consumer), so they live in this one
 * file and run one after the other; the broker is restarted in `finally`.
 * Kafka's outage is proven by test/shop/kafka-outage.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import Database from 'better-sqlite3';
import { ROOT, startService } from '../../scripts/demo/launch.ts';
import { type TestShop, orphans, startTestShop, traceComplete, traceOfOrder, validOrder } from '../shop/support/shop.ts';
import { FULL, sleep, startLoad, summary, writeFigures } from './support.ts';

const run = promisify(execFile);
const PATH = `${process.env.PATH}:/usr/local/sbin:/usr/sbin:/sbin`;
const rabbit = (action: 'stop' | 'start') => run('bash', [path.join(ROOT, 'scripts/rabbitmq.sh'), action], { cwd: ROOT, timeout: 180_000 });
const OUTAGE_MS = FULL ? 30_000 : 5_000;

let t: TestShop;
before(async () => {
  // Plenty of attempts: in test 2 the handler fails (store locked) until the kill, and must not dead-letter.
  t = await startTestShop({ env: { MAX_DELIVERY_ATTEMPTS: '1000' } });
});
after(async () => {
  await t?.close();
});

function count(file: string, sql: string, ...params: string[]): number {
  const db = new Database(path.join(t.dataDir, file), { readonly: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** messages_ready and messages_unacknowledged of one queue, from the broker itself. */
async function queueState(queue: string): Promise<{ ready: number; unacked: number } | undefined> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged'], { env: { ...process.env, PATH }, timeout: 30_000 });
  for (const line of stdout.split('\n')) {
    const [name, ready, unacked] = line.trim().split(/\s+/);
    if (name === queue) return { ready: Number(ready), unacked: Number(unacked) };
  }
  return undefined;
}

describe('RabbitMQ faults', () => {
  it('broker stopped and restarted under load: no order event lost or applied twice, traces connected', async () => {
    const warm = await t.post(validOrder(0));
    assert.equal(warm.status, 201);
    await t.sink.waitFor((all) => {
      const id = traceOfOrder(all, String(warm.body.order_id));
      return id !== undefined && traceComplete(all, id);
    }, 30_000, 'warm-up order delivered');

    const load = startLoad(t, { concurrency: 2, pauseMs: 100, maxRequests: 2_000 });
    let stoppedAt = 0;
    let restartedAt = 0;
    let beforeStop;
    let whileDown;
    try {
      await sleep(1_500);
      await rabbit('stop');
      stoppedAt = Date.now();
      beforeStop = load.snapshot();
      await sleep(OUTAGE_MS);
    } finally {
      whileDown = load.snapshot();
      await rabbit('start');
      restartedAt = Date.now();
    }
    await sleep(2_000);
    await load.stop();
    const afterStart = load.snapshot();
    for (const r of [beforeStop, whileDown, afterStart]) assert.deepEqual(r?.errors, [], 'every order accepted, RabbitMQ up or down');
    assert.ok(whileDown.orderIds.length > 0, 'orders were placed while the broker was down');
    const orderIds = [String(warm.body.order_id), ...(beforeStop?.orderIds ?? []), ...whileDown.orderIds, ...afterStart.orderIds];

    const spans = await t.sink.waitFor(
      (all) => orderIds.every((id) => {
        const traceId = traceOfOrder(all, id);
        return traceId !== undefined && traceComplete(all, traceId);
      }),
      120_000,
      'every order shipped and notified after RabbitMQ came back',
    );
    await sleep(1_000);

    let duplicatesSkipped = 0;
    for (const orderId of orderIds) {
      assert.equal(count('shipping.db', 'SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?', orderId), 1, `one shipment for ${orderId}`);
      assert.equal(count('shipping.db', 'SELECT COUNT(*) AS n FROM processed_events WHERE order_id = ?', orderId), 1);
      assert.equal(count('notifications.db', 'SELECT COUNT(*) AS n FROM processed_events WHERE order_id = ?', orderId), 1);
      const trace = t.sink.trace(traceOfOrder(spans, orderId) as string);
      assert.deepEqual(orphans(trace).map((s) => `${s.service}:${s.name}`), [], `trace of ${orderId} connected`);
      assert.ok(trace.some((s) => s.service === 'shipping' && s.kind === 'CONSUMER'), 'shipping CONSUMER span in the order trace');
      duplicatesSkipped += trace.filter((s) => s.service === 'shipping' && s.attributes['tracewire.duplicate'] === true).length;
    }
    writeFigures('rabbitmq-restart', {
      brokerDownMs: restartedAt - stoppedAt,
      beforeStop: summary(beforeStop as NonNullable<typeof beforeStop>),
      whileDown: summary(whileDown),
      afterStart: summary(afterStart),
      orders: orderIds.length,
      shipments: count('shipping.db', 'SELECT COUNT(*) AS n FROM shipments'),
      ordersPlacedWhileDown: whileDown.orderIds.length,
      duplicateDeliveriesSkipped: duplicatesSkipped,
    });
  });

  it('a consumer SIGKILLed between receiving and acknowledging: redelivered, applied once', async () => {
    const queue = `${t.prefix}shipping.orders`;
    // Hold the write lock on shipping's store: the handler blocks in its transaction and cannot ack.
    const lock = new Database(path.join(t.dataDir, 'shipping.db'));
    lock.pragma('busy_timeout = 100');
    lock.exec('BEGIN IMMEDIATE');
    let orderId = '';
    let atKill: { ready: number; unacked: number } | undefined;
    let afterKill: { ready: number; unacked: number } | undefined;
    try {
      const res = await t.post(validOrder(5));
      assert.equal(res.status, 201);
      orderId = String(res.body.order_id);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        atKill = await queueState(queue);
        if (atKill?.unacked === 1) break;
        await sleep(200);
      }
      assert.equal(atKill?.unacked, 1, 'the delivery is with the consumer, not acknowledged');
      const shipping = t.shop.services.get('shipping');
      assert.ok(shipping);
      shipping.child.kill('SIGKILL');
      await shipping.exited;
      await sleep(500);
      afterKill = await queueState(queue);
      assert.deepEqual(afterKill, { ready: 1, unacked: 0 }, 'the broker took the delivery back');
      assert.equal(count('shipping.db', 'SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?', orderId), 0, 'not applied before the kill');
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }

    const restarted = await startService('shipping', t.env);
    t.shop.services.set('shipping', restarted);
    const spans = await t.sink.waitFor((all) => {
      const id = traceOfOrder(all, orderId);
      return id !== undefined && traceComplete(all, id);
    }, 60_000, 'the redelivered message shipped');
    assert.equal(count('shipping.db', 'SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?', orderId), 1, 'applied once');
    const traceId = traceOfOrder(spans, orderId) as string;

    // The same event again, as a broker would redeliver it if the ack had been lost after the commit.
    const eventId = (() => {
      const db = new Database(path.join(t.dataDir, 'shipping.db'), { readonly: true });
      try {
        return (db.prepare('SELECT event_id FROM processed_events WHERE order_id = ?').get(orderId) as { event_id: string }).event_id;
      } finally {
        db.close();
      }
    })();
    const event = { event_id: eventId, type: 'order_created', order_id: orderId, customer_id: 'cust-5', product_id: 'sku-monitor', quantity: 3, amount: 24.99, created_at: new Date().toISOString() };
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(`${t.prefix}orders`, 'order.created', Buffer.from(JSON.stringify(event)), {
        messageId: eventId,
        headers: { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await t.sink.waitFor(
      (all) => all.some((s) => s.traceId === traceId && s.service === 'shipping' && s.attributes['tracewire.duplicate'] === true),
      30_000,
      'the duplicate was recognised',
    );
    assert.equal(count('shipping.db', 'SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?', orderId), 1, 'still one shipment');
    const consumerSpans = t.sink.trace(traceId).filter((s) => s.service === 'shipping' && s.kind === 'CONSUMER');
    writeFigures('consumer-kill', {
      queueAtKill: atKill,
      queueAfterKill: afterKill,
      shippingConsumerSpansInTrace: consumerSpans.length,
      shipments: 1,
    });
  });
});
