/**
 * Retention bounds every table, and the pickers' lists stay bounded whatever
 * span and service names clients send.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../model.ts';
import { startRetention } from './retention.ts';
import { SqliteStore } from './sqlite-store.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bounds-'));
const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const HOUR_NS = 3_600_000_000_000n;

/** One trace of `names.length` spans of `service`, started `agoNs` ago; `payload` bytes of attribute per span. */
function trace(id: number, service: string, names: string[], agoNs: bigint, payload = 0): StoredSpan[] {
  const start = NOW_NS - agoNs;
  return names.map((name, i) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scope: { name: 's' },
    service,
    span: {
      traceId: id.toString(16).padStart(32, '0'),
      spanId: (id * 10_000 + i + 1).toString(16).padStart(16, '0'),
      parentSpanId: '',
      name,
      kind: 1,
      startTimeUnixNano: String(start + BigInt(i)),
      endTimeUnixNano: String(start + 1_000_000n),
      // Random, so deflate cannot shrink it: the test needs bytes on disk.
      attributes: payload ? [{ key: 'payload', value: { stringValue: randomBytes(payload).toString('base64').slice(0, payload) } }] : [],
      events: [],
      links: [],
      status: { code: 0 },
    },
  }));
}

describe('retention and the listed operations', () => {
  it('forgets the operations and services of deleted traces', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL' });
    await store.write(trace(1, 'old-svc', ['GET /old', 'shared'], 48n * HOUR_NS));
    await store.write(trace(2, 'svc', ['GET /gone', 'shared'], 48n * HOUR_NS));
    await store.write(trace(3, 'svc', ['GET /kept', 'shared'], HOUR_NS));
    const retention = startRetention(store, { maxAgeNs: 24n * HOUR_NS, intervalMs: 3_600_000 });
    assert.equal(await retention.runOnce(), 2);
    await retention.stop();
    assert.deepEqual(await store.services(), ['svc']);
    assert.deepEqual((await store.operations('svc')).map((o) => o.name), ['GET /kept', 'shared']);
    await store.close();
  });

  it('lists at most the per-service cap of operations; the others stay searchable', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL', maxOperationsPerService: 5 });
    const names = Array.from({ length: 40 }, (_, i) => `GET /item/${1000 + i}`);
    await store.write(trace(1, 'svc', names.slice(0, 20), HOUR_NS));
    await store.write(trace(2, 'svc', names.slice(20), HOUR_NS));
    assert.equal((await store.operations('svc')).length, 5);
    const found = await store.search({ service: 'svc', operation: 'GET /item/1033', attrs: [], limit: 10, offset: 0, sort: 'recent' });
    assert.equal(found.total, 1);
    await store.close();
  });

  it('lists at most the service cap of services, and at most the operation cap overall', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL', maxServices: 3, maxOperations: 4 });
    for (let i = 0; i < 10; i++) await store.write(trace(i + 1, `svc-${i}`, ['a', 'b'], HOUR_NS));
    assert.deepEqual(await store.services(), ['svc-0', 'svc-1']);
    assert.equal((await store.operations()).length, 4);
    await store.close();
  });

  it('lists a new operation again once retention made room', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL', maxOperationsPerService: 2 });
    await store.write(trace(1, 'svc', ['a', 'b'], 48n * HOUR_NS));
    await store.write(trace(2, 'svc', ['c'], HOUR_NS));
    assert.deepEqual((await store.operations('svc')).map((o) => o.name), ['a', 'b']);
    const retention = startRetention(store, { maxAgeNs: 24n * HOUR_NS, intervalMs: 3_600_000 });
    await retention.runOnce();
    await retention.stop();
    await store.write(trace(3, 'svc', ['c', 'd'], HOUR_NS / 2n));
    assert.deepEqual((await store.operations('svc')).map((o) => o.name), ['c', 'd']);
    await store.close();
  });

  it('holds the database file under --max-size, not only its live pages', async () => {
    const dir = tmp();
    const store = new SqliteStore({ dataDir: dir, synchronous: 'NORMAL' });
    // ≈ 24 MB of spans in 600 traces, written over 12 transactions.
    for (let b = 0; b < 12; b++) {
      await store.write(Array.from({ length: 50 }, (_, t) => trace(b * 50 + t + 1, 'svc', ['a', 'b', 'c', 'd'], BigInt(1000 - b * 50 - t) * 1_000_000_000n, 10_000)).flat());
    }
    const file = path.join(dir, 'traces.db');
    const maxBytes = 6 * 1024 * 1024;
    assert.ok(fs.statSync(file).size + fs.statSync(`${file}-wal`).size > 3 * maxBytes, 'the test wrote enough to need shrinking');
    const retention = startRetention(store, { maxBytes, batch: 20, intervalMs: 3_600_000 });
    assert.ok((await retention.runOnce()) > 0);
    await retention.stop();
    assert.ok(fs.statSync(file).size <= maxBytes, `traces.db is ${fs.statSync(file).size} bytes, over ${maxBytes}`);
    assert.ok((await store.status()).traces > 0, 'only the oldest traces went');
    await store.close();
  });
});
