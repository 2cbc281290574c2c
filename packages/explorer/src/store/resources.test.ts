/** Resources are indexed once per distinct attribute set, and stay searchable like span attributes. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Resource, StoredSpan } from '../model.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { AttrFilter } from './store.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-resources-'));

/** A fresh object each call, as every export decodes its own copy of the process's resource. */
function resourceOf(service: string, host: string): Resource {
  return {
    attributes: [
      { key: 'service.name', value: { stringValue: service } },
      { key: 'host.name', value: { stringValue: host } },
      { key: 'process.pid', value: { intValue: '4242' } },
    ],
  };
}

function traceFrom(resource: Resource, trace: number, startMs = 1000, spans = 2): StoredSpan[] {
  const service = resource.attributes[0]?.value.stringValue ?? 'unknown_service';
  return Array.from({ length: spans }, (_, i) => ({
    resource,
    scope: { name: 's' },
    service,
    span: {
      traceId: trace.toString(16).padStart(32, '0'),
      spanId: (trace * 100 + i + 1).toString(16).padStart(16, '0'),
      parentSpanId: i === 0 ? '' : (trace * 100 + 1).toString(16).padStart(16, '0'),
      name: `op ${i}`,
      kind: 2,
      startTimeUnixNano: String(BigInt(startMs + trace) * 1_000_000n + BigInt(i)),
      endTimeUnixNano: String(BigInt(startMs + trace + 5) * 1_000_000n),
      attributes: [{ key: 'order.id', value: { stringValue: `o-${trace}` } }],
      events: [],
      links: [],
      status: { code: 0 },
    },
  }));
}

async function traceIds(store: SqliteStore, ...attrs: AttrFilter[]): Promise<string[]> {
  const r = await store.search({ attrs, limit: 100, offset: 0, sort: 'recent' });
  return r.traces.map((t) => t.traceId.replace(/^0+/, '')).sort();
}

function count(dir: string, sql: string): number {
  const db = new Database(path.join(dir, 'traces.db'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('resource index', () => {
  it('stores a resource once however many traces carry it, and finds traces by its attributes', async () => {
    const dir = tmp();
    const store = new SqliteStore({ dataDir: dir });
    for (let t = 1; t <= 5; t++) await store.write(traceFrom(resourceOf('cart', 'node-a'), t));
    await store.write(traceFrom(resourceOf('payments', 'node-b'), 6));

    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'service.name', value: 'cart' }), ['1', '2', '3', '4', '5']);
    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'process.pid', value: '4242' }), ['1', '2', '3', '4', '5', '6']);
    assert.deepEqual(await traceIds(store, { op: 'prefix', key: 'host.name', value: 'node-b' }), ['6']);
    assert.deepEqual(await traceIds(store, { op: 'ne', key: 'host.name', value: 'node-a' }), ['6']);
    assert.deepEqual(await traceIds(store, { op: 'absent', key: 'host.name' }), []);
    assert.deepEqual(await traceIds(store, { op: 'exists', key: 'order.id' }, { op: 'eq', key: 'service.name', value: 'payments' }), ['6']);
    await store.close();

    assert.equal(count(dir, 'SELECT count(*) AS n FROM resources'), 2);
    assert.equal(count(dir, 'SELECT count(*) AS n FROM resource_attrs'), 6);
    assert.equal(count(dir, 'SELECT count(*) AS n FROM trace_resources'), 6);
    assert.equal(count(dir, "SELECT count(*) AS n FROM attrs WHERE key IN ('service.name', 'host.name', 'process.pid')"), 0, 'no per-trace rows');
  });

  it('finds the same traces whichever query plan search picks', async () => {
    // A count bound of 1 makes every search past it walk the traces newest-first (the probe form).
    const store = new SqliteStore({ dataDir: tmp(), searchCountCap: 1 });
    for (let t = 1; t <= 4; t++) await store.write(traceFrom(resourceOf(t % 2 ? 'odd' : 'even', 'node'), t));
    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'service.name', value: 'odd' }), ['1', '3']);
    assert.deepEqual(await traceIds(store, { op: 'absent', key: 'nothing.here' }), ['1', '2', '3', '4']);
    assert.deepEqual(await traceIds(store, { op: 'ne', key: 'service.name', value: 'odd' }), ['2', '4']);
    await store.close();
  });

  it('forgets resources whose traces retention deleted, and indexes them anew when they come back', async () => {
    const dir = tmp();
    const store = new SqliteStore({ dataDir: dir });
    await store.write(traceFrom(resourceOf('old', 'node-a'), 1, 1000));
    await store.write(traceFrom(resourceOf('new', 'node-a'), 2, 900_000));
    assert.equal(await store.deleteOlderThan(500_000n * 1_000_000n, 100), 1);
    assert.equal(count(dir, 'SELECT count(*) AS n FROM resources'), 1);
    assert.equal(count(dir, 'SELECT count(*) AS n FROM resource_attrs'), 3);

    await store.write(traceFrom(resourceOf('old', 'node-a'), 3, 900_000));
    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'service.name', value: 'old' }), ['3']);
    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'service.name', value: 'new' }), ['2']);
    await store.close();
  });

  it('never reuses the id of a resource whose transaction rolled back for another resource', async () => {
    const store = new SqliteStore({ dataDir: tmp() });
    const broken = traceFrom(resourceOf('lost', 'node-x'), 2);
    (broken[1] as StoredSpan).span.startTimeUnixNano = 'not a number';
    // Grouped into one transaction: it fails, then each export is retried alone and only the broken one fails.
    const results = await Promise.allSettled([store.write(traceFrom(resourceOf('kept', 'node-k'), 1)), store.write(broken)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
    // SQLite may hand the rolled-back rowid to the next new resource...
    await store.write(traceFrom(resourceOf('next', 'node-n'), 3));
    // ...so the 'lost' resource must not be remembered under it.
    await store.write(traceFrom(resourceOf('lost', 'node-x'), 4));
    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'service.name', value: 'lost' }), ['4']);
    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'service.name', value: 'next' }), ['3']);
    assert.deepEqual(await traceIds(store, { op: 'eq', key: 'service.name', value: 'kept' }), ['1']);
    await store.close();
  });
});
