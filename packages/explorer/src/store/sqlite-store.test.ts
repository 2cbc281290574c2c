import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../model.ts';
import { startRetention } from './retention.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { SqliteStore } from './sqlite-store.ts';
import { StoreBusyError, StoreClosedError } from './store.ts';

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] };
const scope = { name: 's' };

function spansOf(trace: number, count: number, startMs: number): StoredSpan[] {
  return Array.from({ length: count }, (_, i) => ({
    resource,
    scope,
    service: 'svc',
    span: {
      traceId: trace.toString(16).padStart(32, '0'),
      spanId: (trace * 1000 + i + 1).toString(16).padStart(16, '0'),
      parentSpanId: i === 0 ? '' : (trace * 1000 + 1).toString(16).padStart(16, '0'),
      name: `op ${i}`,
      kind: 1,
      startTimeUnixNano: String(BigInt(startMs) * 1_000_000n + BigInt(i)),
      endTimeUnixNano: String(BigInt(startMs + 5) * 1_000_000n),
      attributes: [{ key: 'payload', value: { stringValue: `${'p'.repeat(200)}${trace}-${i}` } }],
      events: [],
      links: [],
      status: { code: 0 },
    },
  }));
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-store-'));

describe('SqliteStore', () => {
  it('groups concurrent writes into one transaction and merges a trace sent in parts', async () => {
    const store = new SqliteStore({ dataDir: tmp() });
    const parts = spansOf(1, 10, 1000);
    await Promise.all([store.write(parts.slice(0, 4)), store.write(parts.slice(4)), store.write(parts.slice(0, 2))]);
    const spans = await store.getTrace(parts[0]?.span.traceId as string);
    assert.equal(spans?.length, 10, 'duplicates from a retried export are dropped on read');
    const r = await store.search({ attrs: [], limit: 10, offset: 0, sort: 'recent' });
    assert.equal(r.total, 1);
    assert.equal(r.traces[0]?.spanCount, 10);
    assert.equal(r.traces[0]?.rootName, 'op 0');
    assert.equal(r.traces[0]?.rootKnown, true);
    await store.close();
  });

  it('drops spans a retried export sends again, so counts stay exact', async () => {
    const store = new SqliteStore({ dataDir: tmp() });
    const spans = spansOf(5, 6, 1000);
    const failed = spans[2] as StoredSpan;
    failed.span.status = { code: 2 };
    await store.write(spans);
    // The answer was lost; the exporter retries the whole batch, now along with a new span.
    await store.write([...spans, ...spansOf(5, 7, 1000).slice(6)]);
    const r = await store.search({ attrs: [], limit: 10, offset: 0, sort: 'recent' });
    assert.equal(r.total, 1);
    assert.equal(r.traces[0]?.spanCount, 7);
    assert.equal(r.traces[0]?.errorCount, 1);
    assert.deepEqual(r.traces[0]?.services, [{ name: 'svc', spanCount: 7 }]);
    assert.equal((await store.status()).spans, 7);
    assert.equal((await store.getTrace(failed.span.traceId))?.length, 7);
    await store.close();
  });

  it('opens a schema 1 file, keeps its data and still drops spans it already holds', async () => {
    const dir = tmp();
    const first = new SqliteStore({ dataDir: dir });
    await first.write(spansOf(6, 4, 1000));
    await first.close();
    // Turn the file back into what version 1 wrote: chunks without span_ids.
    const raw = new Database(path.join(dir, 'traces.db'));
    raw.exec("ALTER TABLE chunks DROP COLUMN span_ids; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    raw.close();

    const store = new SqliteStore({ dataDir: dir });
    await store.write(spansOf(6, 5, 1000));
    const r = await store.search({ attrs: [], limit: 10, offset: 0, sort: 'recent' });
    assert.equal(r.traces[0]?.spanCount, 5);
    assert.equal((await store.getTrace((6).toString(16).padStart(32, '0')))?.length, 5);
    await store.close();
    const reopened = new Database(path.join(dir, 'traces.db'), { readonly: true });
    assert.equal((reopened.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value, String(SCHEMA_VERSION));
    reopened.close();
  });

  it('fails only the export that cannot be stored when exports share a transaction', async () => {
    const store = new SqliteStore({ dataDir: tmp() });
    const broken = spansOf(8, 2, 1000);
    (broken[1] as StoredSpan).span.startTimeUnixNano = 'not a number';
    const results = await Promise.allSettled([store.write(spansOf(7, 3, 1000)), store.write(broken), store.write(spansOf(9, 3, 1000))]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((await store.getTrace((7).toString(16).padStart(32, '0')))?.length, 3);
    assert.equal(await store.getTrace((8).toString(16).padStart(32, '0')), undefined, 'nothing of the failed export is half-stored');
    assert.equal((await store.getTrace((9).toString(16).padStart(32, '0')))?.length, 3);
    await store.close();
  });

  it('refuses writes over the queue bound and after close', async () => {
    const store = new SqliteStore({ dataDir: tmp(), maxQueuedSpans: 5 });
    const first = store.write(spansOf(2, 4, 1000));
    await assert.rejects(store.write(spansOf(3, 4, 1000)), StoreBusyError);
    await first;
    await store.close();
    await assert.rejects(store.write(spansOf(4, 1, 1000)), StoreClosedError);
  });

  it('deletes by age and by size in batches while staying usable', async () => {
    const dir = tmp();
    const store = new SqliteStore({ dataDir: dir });
    const now = Date.now();
    for (let t = 1; t <= 200; t++) await store.write(spansOf(t, 5, t <= 100 ? now - 10 * 86_400_000 + t : now - 1000 + t));
    const byAge = startRetention(store, { maxAgeNs: 86_400_000_000_000n, batch: 30 });
    assert.equal(await byAge.runOnce(), 100);
    await byAge.stop();
    assert.equal((await store.status()).traces, 100);
    const before = (await store.status()).dbBytes;
    const bySize = startRetention(store, { maxBytes: Math.floor(before / 2), batch: 10 });
    const deleted = await bySize.runOnce();
    await bySize.stop();
    const after = await store.status();
    assert.ok(deleted > 0 && deleted < 100, `deleted ${deleted}`);
    assert.ok(after.dbBytes <= before / 2, `${after.dbBytes} <= ${before / 2}`);
    // The newest traces are the ones kept.
    const newest = await store.getTrace((200).toString(16).padStart(32, '0'));
    assert.equal(newest?.length, 5);
    await store.close();
  });
});
