/**
 * Notifications counts a record's failed attempts in its own database, so the
 * dead-letter limit (MAX_DELIVERY_ATTEMPTS=3) holds across a restart: a
 * record that failed once before notifications was SIGKILLed gets two more
 * tries after the restart, not three. A real order goes through the shop; the
 * failure is CHAOS_FAIL_CUSTOMER (simulated email provider outage) and
 * NOTIFICATIONS_RETRY_DELAY_MS holds the failed record (offset uncommitted)
 * long enough to kill the process between two attempts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type LogLine, startService } from '../../scripts/demo/launch.ts';
import { consumeTopic } from '../support/kafka.ts';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, startTestShop, traceOfOrder, validOrder, waitForLogLine } from './support/shop.ts';

const UNLUCKY = 'cust-email-down';
const NOTIFICATIONS_ENV = { CHAOS_FAIL_CUSTOMER: UNLUCKY, MAX_DELIVERY_ATTEMPTS: '3', NOTIFICATIONS_RETRY_DELAY_MS: '2000' };

const logs: LogLine[] = [];
const onLog = (line: LogLine): void => void logs.push(line);
let t: TestShop;
before(async () => {
  t = await startTestShop({ serviceEnv: { notifications: NOTIFICATIONS_ENV }, onLog });
});
after(async () => {
  await t?.close();
});

const logLine = (pred: (json: Record<string, unknown>) => boolean, what: string) => waitForLogLine(logs, 'notifications', pred, what, 60_000);

function readDb<T>(query: (db: Database.Database) => T): T {
  const db = new Database(path.join(t.dataDir, 'notifications.db'), { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

const failuresRecorded = (messageKey: string): number | undefined =>
  readDb((db) => (db.prepare('SELECT failures FROM delivery_failures WHERE message_key = ?').get(messageKey) as { failures: number } | undefined)?.failures);

const isAttemptOf = (orderId: string) => (s: SinkSpan): boolean => s.service === 'notifications' && s.kind === 'CONSUMER' && s.attributes['order.id'] === orderId;

describe('the attempt count of a Kafka record survives a notifications restart', () => {
  it('1 failure, SIGKILL, restart → 2 more attempts, then dead-lettered: 3 in all', async () => {
    const topic = `${t.prefix}order-events`;
    const dlq: Array<{ key: string; headers: Map<string, string> }> = [];
    const collector = await consumeTopic(`${topic}.dlq`, (m) =>
      void dlq.push({ key: m.key?.toString() ?? '', headers: new Map([...m.headers].map(([k, v]) => [k.toString(), v.toString()])) }),
    );
    let orderId = '';
    let messageKey = '';
    try {
      const res = await t.post({ ...validOrder(4), customer_id: UNLUCKY });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      orderId = String(res.body.order_id);

      const first = await logLine((j) => j.msg === 'record failed, retrying', 'first failed attempt');
      assert.equal(first.attempts, 1);
      messageKey = String(first.message_key);
      // Attempt 1's CONSUMER span is exported while the record waits NOTIFICATIONS_RETRY_DELAY_MS for attempt 2.
      await t.sink.waitFor((all) => all.some((s) => isAttemptOf(orderId)(s) && s.attributes['tracewire.delivery.attempt'] === 1), 1_500, 'attempt 1 span');
      assert.equal(failuresRecorded(messageKey), 1, 'the failure is on disk before attempt 2');
      const notifications = t.shop.services.get('notifications');
      assert.ok(notifications);
      notifications.child.kill('SIGKILL');
      await notifications.exited;
      assert.equal(notifications.child.signalCode, 'SIGKILL');
      assert.equal(t.sink.spans().filter(isAttemptOf(orderId)).length, 1, 'killed before attempt 2 began');
      assert.equal(failuresRecorded(messageKey), 1, 'the failure outlived the process');

      // The offset was never committed: the restarted consumer gets the record again.
      logs.length = 0;
      const restarted = await startService('notifications', { ...t.env, ...NOTIFICATIONS_ENV }, { onLog });
      t.shop.services.set('notifications', restarted);

      const dead = await logLine((j) => j.msg === 'dead-lettering record' && j.message_key === messageKey, 'dead-lettering after the restart');
      assert.equal(dead.attempts, 3, 'the limit counts the attempt made before the restart');
      const retried = logs.filter((l) => l.service === 'notifications' && l.json?.msg === 'record failed, retrying').map((l) => l.json?.attempts);
      assert.deepEqual(retried, [2], 'one retry after the restart, not two');

      const deadline = Date.now() + 30_000;
      while (!dlq.some((m) => m.key === orderId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      while (failuresRecorded(messageKey) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(failuresRecorded(messageKey), undefined, 'a dead-lettered record leaves no count behind');
    } finally {
      await collector.close();
    }

    // The trace: three CONSUMER spans, one per attempt, across both processes; the dead letter hangs off the last.
    const spans = await t.sink.waitFor((all) => {
      const id = traceOfOrder(all, orderId);
      return id !== undefined && all.some((s) => s.traceId === id && s.kind === 'PRODUCER' && s.name === `send ${topic}.dlq`);
    }, 30_000, 'dead-letter PRODUCER span');
    const traceId = traceOfOrder(spans, orderId) as string;
    await new Promise((r) => setTimeout(r, 400));
    const trace = t.sink.trace(traceId);
    const send = trace.find((s) => s.kind === 'PRODUCER' && s.name === `send ${topic}`) as SinkSpan;
    const attempts = trace.filter((s) => s.service === 'notifications' && s.kind === 'CONSUMER').sort((a, b) => Number(a.startNs - b.startNs));
    assert.deepEqual(attempts.map((s) => s.attributes['tracewire.delivery.attempt']), [1, 2, 3]);
    for (const a of attempts) {
      assert.equal(a.parentSpanId, send.spanId, 'each attempt continues the relay send');
      assert.equal(a.status.code, 'ERROR');
      assert.equal(a.attributes['messaging.message.id'], messageKey);
    }
    assert.equal(attempts[2]?.attributes['tracewire.dead_lettered'], true);
    assert.equal(attempts.filter((s) => s.attributes['tracewire.dead_lettered'] === true).length, 1);
    const dlqSend = trace.find((s) => s.name === `send ${topic}.dlq`) as SinkSpan;
    assert.equal(dlqSend.parentSpanId, attempts[2]?.spanId);

    const dead = dlq.filter((m) => m.key === orderId);
    assert.equal(dead.length, 1, 'the record is in the dead-letter topic once');
    assert.equal(dead[0]?.headers.get('traceparent')?.split('-')[1], traceId, 'the dead letter continues the order trace');
    assert.equal(dead[0]?.headers.get('traceparent')?.split('-')[2], dlqSend.spanId);
    assert.equal(dead[0]?.headers.get('x-original-traceparent')?.split('-')[2], send.spanId, 'original context kept');
    assert.equal(dead[0]?.headers.get('x-attempts'), '3');
    assert.equal(dead[0]?.headers.get('event-id'), messageKey);
    assert.match(dead[0]?.headers.get('x-error') ?? '', /simulated email provider outage/);

    assert.equal(readDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM notifications WHERE order_id = ?').get(orderId) as { n: number }).n), 0);
  });

  it('after the restart other orders are notified, and no failure count is left behind', async () => {
    const res = await t.post(validOrder(9));
    assert.equal(res.status, 201);
    const orderId = String(res.body.order_id);
    const deadline = Date.now() + 30_000;
    const sent = (): number => readDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM notifications WHERE order_id = ?').get(orderId) as { n: number }).n);
    while (sent() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(sent(), 2, 'one email, one SMS');
    assert.equal(readDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM delivery_failures').get() as { n: number }).n), 0);
  });
});
