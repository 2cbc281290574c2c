/**
 * A reservation whose Release fails every in-process try is not left behind:
 * orders stores it in `pending_releases` (with the failed order's trace
 * context) and its release retrier calls Release until inventory answers,
 * then forgets the row. The late, successful Release is in the order's trace.
 * Faults: CHAOS_FAIL_COMMIT_CUSTOMER (the order's transaction fails after
 * Reserve) and CHAOS_FAIL_RELEASE_TIMES=5 at inventory (its first 5 Release
 * calls answer UNAVAILABLE: 3 in-process tries, then 2 by the retrier).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import type { SinkSpan } from '../support/otlp-sink.ts';
import { type TestShop, orphans, startTestShop } from './support/shop.ts';

const DOOMED = 'cust-db-write-fails';
const RELEASE = 'tracewire.shop.v1.InventoryService/Release';
const FAILED_RELEASES = 5;
const IN_PROCESS_TRIES = 3;

let t: TestShop;
before(async () => {
  t = await startTestShop({
    serviceEnv: {
      orders: { CHAOS_FAIL_COMMIT_CUSTOMER: DOOMED, RELEASE_RETRY_POLL_MS: '200' },
      inventory: { CHAOS_FAIL_RELEASE_TIMES: String(FAILED_RELEASES) },
    },
  });
});
after(async () => {
  await t?.close();
});

function read<T>(file: string, query: (db: Database.Database) => T): T {
  const db = new Database(path.join(t.dataDir, file), { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

const stockOf = (productId: string): number =>
  read('inventory.db', (db) => (db.prepare('SELECT stock FROM products WHERE product_id = ?').get(productId) as { stock: number }).stock);

interface PendingRow {
  order_id: string;
  attempts: number;
  last_error: string | null;
  traceparent: string | null;
}
const pendingRows = (): PendingRow[] =>
  read('orders.db', (db) => db.prepare('SELECT order_id, attempts, last_error, traceparent FROM pending_releases').all() as PendingRow[]);

function one(trace: SinkSpan[], pred: (s: SinkSpan) => boolean, what: string): SinkSpan {
  const found = trace.filter(pred);
  assert.equal(found.length, 1, `expected one ${what}, found ${found.length}: ${trace.map((s) => `${s.service}:${s.kind}:${s.name}:${s.status.code}`).join(', ')}`);
  return found[0] as SinkSpan;
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a release inventory refuses for longer than the in-process tries is retried until it succeeds', () => {
  it('error answer, pending_releases row, then the stock back exactly once, the row gone, the late Release in the order trace', async (ctx) => {
    const product = 'sku-headset';
    const before = stockOf(product);
    const res = await fetch(`${t.shop.gatewayUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_id: DOOMED, product_id: product, quantity: 3, amount: 30 }),
    });
    const body = (await res.json()) as { error?: string };
    assert.equal(res.status, 502, JSON.stringify(body));
    assert.equal(body.error, 'orders service failed');
    const answeredAt = Date.now();
    const traceId = String(res.headers.get('traceresponse')).split('-')[1] as string;

    // The in-process tries are spent before the answer: the row is written before it, the stock still reserved.
    const [row, ...others] = pendingRows();
    assert.ok(row, 'a pending_releases row exists once the caller has its answer');
    assert.equal(others.length, 0);
    assert.ok(row.attempts >= IN_PROCESS_TRIES, `attempts counted (${row.attempts})`);
    assert.match(String(row.last_error), /UNAVAILABLE|simulated inventory outage/);
    assert.equal(String(row.traceparent).split('-')[1], traceId, 'stored with the order trace context');
    assert.equal(stockOf(product), before - 3, 'still reserved: inventory has refused every Release so far');

    await until(() => (pendingRows().length === 0 ? true : undefined), 20_000, 'the pending release to be deleted');
    ctx.diagnostic(`row deleted ${Date.now() - answeredAt} ms after the answer`);
    assert.equal(stockOf(product), before, 'the reserved stock is back');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(stockOf(product), before, 'and put back once: a later round adds nothing');
    assert.deepEqual(pendingRows(), []);
    const releases = read('inventory.db', (db) => db.prepare('SELECT COUNT(*) AS n FROM releases WHERE order_id = ?').get(row.order_id) as { n: number });
    assert.equal(releases.n, 1);

    await t.sink.waitFor(
      (all) =>
        all.some((s) => s.traceId === traceId && s.service === 'inventory' && s.name === RELEASE && s.status.code !== 'ERROR') &&
        all.some((s) => s.traceId === traceId && s.service === 'gateway' && s.kind === 'SERVER'),
      30_000,
      'the successful Release spans in the order trace',
    );
    await new Promise((r) => setTimeout(r, 400));
    const trace = t.sink.trace(traceId);
    assert.deepEqual(orphans(trace).map((s) => `${s.service}:${s.name}`), [], 'every span is connected to the root');

    const gateway = one(trace, (s) => s.service === 'gateway' && s.kind === 'SERVER', 'gateway SERVER');
    assert.equal(gateway.attributes['http.response.status_code'], 502);
    const ordersServer = one(trace, (s) => s.service === 'orders' && s.kind === 'SERVER', 'orders SERVER');
    assert.equal(ordersServer.attributes['order.id'], row.order_id);
    assert.equal(ordersServer.status.code, 'ERROR');
    const deferred = ordersServer.events.find((e) => e.name === 'reservation_release_deferred');
    assert.equal(deferred?.attributes['release.attempts'], IN_PROCESS_TRIES);
    assert.equal(ordersServer.events.filter((e) => e.name === 'reservation_release_failed').length, 0, 'not given up');

    const releaseClients = trace.filter((s) => s.service === 'orders' && s.name === RELEASE).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
    assert.equal(releaseClients.length, FAILED_RELEASES + 1, 'every failed call and the one that succeeded');
    for (const client of releaseClients) {
      assert.equal(client.kind, 'CLIENT');
      assert.equal(client.parentSpanId, ordersServer.spanId, 'each Release, late ones too, is a child of the failed CreateOrder');
    }
    const failed = releaseClients.slice(0, FAILED_RELEASES);
    const succeeded = releaseClients[FAILED_RELEASES] as SinkSpan;
    for (const client of failed) {
      assert.equal(client.status.code, 'ERROR');
      assert.equal(client.attributes['rpc.grpc.status_code'], status.UNAVAILABLE);
    }
    assert.notEqual(succeeded.status.code, 'ERROR');
    assert.equal(succeeded.attributes['rpc.grpc.status_code'], status.OK);
    // Span start times are anchored on Date.now() (1 ms steps): two spans may disagree by up to 1 ms.
    assert.ok(succeeded.startNs + 1_000_000n >= gateway.endNs, 'the successful Release came after the caller had its answer');

    const releaseServer = one(trace, (s) => s.service === 'inventory' && s.name === RELEASE && s.parentSpanId === succeeded.spanId, 'Release SERVER of the successful call');
    assert.equal(releaseServer.kind, 'SERVER');
    assert.notEqual(releaseServer.status.code, 'ERROR');
    assert.equal(releaseServer.attributes['order.id'], row.order_id);
    assert.equal(releaseServer.attributes['reservation.released'], true);
    assert.equal(releaseServer.attributes['quantity.released'], 3);
    const released = trace.filter((s) => s.service === 'inventory' && s.name === RELEASE && s.attributes['reservation.released'] === true);
    assert.equal(released.length, 1, 'inventory put the stock back once');
  });
});
