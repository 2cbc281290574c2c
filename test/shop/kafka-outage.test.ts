/**
 * Kafka goes down while orders keep coming: orders still succeed (the events
 * wait in the outbox), and once Kafka is back every event is delivered and
 * has its effect exactly once, its spans in its own order's trace.
 *
 * This stops the shared local broker (scripts/kafka.sh), so it restarts it in
 * a `finally` whatever happens.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { ROOT } from '../../scripts/demo/launch.ts';
import { type TestShop, orphans, startTestShop, traceComplete, traceOfOrder, validOrder } from './support/shop.ts';

const run = promisify(execFile);
const KAFKA_SH = path.join(ROOT, 'scripts/kafka.sh');
let kafkaStopped = false;
const kafka = async (action: 'stop' | 'start'): Promise<void> => {
  if (action === 'stop') kafkaStopped = true;
  await run('bash', [KAFKA_SH, action], { cwd: ROOT, timeout: 120_000 });
  if (action === 'start') kafkaStopped = false;
};
// The runner ends a file that overruns its timeout with a signal: never leave the shared broker down.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (kafkaStopped) execFileSync('bash', [KAFKA_SH, 'start'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
    process.exit(1);
  });
}
const DURING_OUTAGE = 8;

let t: TestShop;
before(async () => {
  t = await startTestShop({ env: { OTEL_BSP_MAX_QUEUE_SIZE: '20000' } });
});
after(async () => {
  await t?.close();
});

describe('Kafka outage', () => {
  it('keeps every order event through a Kafka stop/start: delivered once in effect, spans in the order trace', async () => {
    // Warm up: the notifications consumer has joined its group.
    const first = await t.post(validOrder(0));
    assert.equal(first.status, 201);
    await t.sink.waitFor((all) => {
      const id = traceOfOrder(all, String(first.body.order_id));
      return id !== undefined && traceComplete(all, id);
    }, 60_000, 'warm-up order delivered');

    const orderIds: string[] = [];
    let restartingAt = 0n;
    try {
      await kafka('stop');
      for (let i = 1; i <= DURING_OUTAGE; i++) {
        const res = await t.post(validOrder(i));
        assert.equal(res.status, 201, `orders accepted while Kafka is down: ${JSON.stringify(res.body)}`);
        orderIds.push(String(res.body.order_id));
      }
      // Let the relay fail a few times against the stopped broker.
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      restartingAt = BigInt(Date.now()) * 1_000_000n;
      await kafka('start');
    }

    const spans = await t.sink.waitFor(
      (all) => orderIds.every((id) => {
        const traceId = traceOfOrder(all, id);
        return traceId !== undefined && traceComplete(all, traceId);
      }),
      90_000,
      'every order delivered after Kafka came back',
    );
    await new Promise((r) => setTimeout(r, 1_000));

    const topic = `${t.prefix}order-events`;
    let attemptsDuringOutage = 0;
    for (const orderId of orderIds) {
      const trace = t.sink.trace(traceOfOrder(spans, orderId) as string);
      const sends = trace.filter((s) => s.kind === 'PRODUCER' && s.name === `send ${topic}`);
      const ordersServer = trace.find((s) => s.service === 'orders' && s.kind === 'SERVER');
      assert.ok(ordersServer);
      assert.ok(sends.some((s) => s.status.code !== 'ERROR'), `a successful send in the trace of ${orderId}`);
      // Failed attempts, and the late successful one, all hang off the request that created the order.
      for (const s of sends) assert.equal(s.parentSpanId, ordersServer.spanId);
      // An attempt made while the broker was down either failed (ERROR span, retried later)
      // or waited inside the client until the broker was back; both prove the outage was crossed.
      attemptsDuringOutage += sends.filter((s) => s.startNs < restartingAt).length;
      const consumers = trace.filter((s) => s.service === 'notifications' && s.kind === 'CONSUMER');
      assert.ok(consumers.length >= 1);
      assert.equal(trace.filter((s) => s.name === 'process-notification').length, 1, `one notification processing for ${orderId}`);
      assert.deepEqual(orphans(trace).map((s) => `${s.service}:${s.name}`), []);
    }
    assert.ok(attemptsDuringOutage >= 1, 'the relay tried to send while Kafka was down');

    // Exactly once in effect: one processed event and one email + one SMS per order.
    const db = new Database(path.join(t.dataDir, 'notifications.db'), { readonly: true });
    try {
      for (const orderId of [String(first.body.order_id), ...orderIds]) {
        const processed = db.prepare('SELECT COUNT(*) AS n FROM processed_events WHERE order_id = ?').get(orderId) as { n: number };
        const sent = db.prepare('SELECT channel FROM notifications WHERE order_id = ? ORDER BY channel').all(orderId) as Array<{ channel: string }>;
        assert.equal(processed.n, 1, `order ${orderId} processed once`);
        assert.deepEqual(sent.map((s) => s.channel), ['email', 'sms'], `order ${orderId} notified once per channel`);
      }
    } finally {
      db.close();
    }
  });
});
