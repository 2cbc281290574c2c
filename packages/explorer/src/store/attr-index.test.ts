/**
 * The schema 5 attribute index (attr-index.ts): per-chunk `kv` text for
 * probes, FTS5 terms for drivers, and the `attrs` rows older versions wrote,
 * searched side by side.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { KeyValue, StoredSpan } from '../model.ts';
import { ChunkAttrs, kvHasOtherValue } from './attr-index.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { AttrFilter } from './store.ts';

const str = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });

function trace(n: number, startMs: number, attributes: KeyValue[]): StoredSpan[] {
  return [
    {
      resource: { attributes: [str('service.name', 'svc')] },
      scope: { name: 's' },
      service: 'svc',
      span: {
        traceId: n.toString(16).padStart(32, '0'),
        spanId: n.toString(16).padStart(16, '0'),
        parentSpanId: '',
        name: 'op',
        kind: 2,
        startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
        endTimeUnixNano: String(BigInt(startMs + 1) * 1_000_000n),
        attributes,
        events: [],
        links: [],
        status: { code: 0 },
      },
    },
  ];
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-attrs-'));

async function found(store: SqliteStore, f: AttrFilter): Promise<number[]> {
  const r = await store.search({ attrs: [f], limit: 100, offset: 0, sort: 'recent' });
  return r.traces.map((t) => parseInt(t.traceId, 16)).sort((a, b) => a - b);
}

/** Trace 1: color=red; 2: color=red and color=blue (two spans' worth in one); 3: size=big. */
const DATA = [trace(1, 1000, [str('color', 'red')]), trace(2, 1001, [str('color', 'red'), str('color', 'blue')]), trace(3, 1002, [str('size', 'big')])];

async function expectFilters(store: SqliteStore): Promise<void> {
  assert.deepEqual(await found(store, { op: 'eq', key: 'color', value: 'red' }), [1, 2]);
  assert.deepEqual(await found(store, { op: 'eq', key: 'color', value: 'blue' }), [2]);
  assert.deepEqual(await found(store, { op: 'prefix', key: 'color', value: 'bl' }), [2]);
  assert.deepEqual(await found(store, { op: 'exists', key: 'color' }), [1, 2]);
  assert.deepEqual(await found(store, { op: 'ne', key: 'color', value: 'red' }), [2]);
  assert.deepEqual(await found(store, { op: 'absent', key: 'color' }), [3]);
}

/** Rewrites the file as schema 4 wrote it: pairs in `attrs`, no kv, no terms. */
function toSchema4(file: string): void {
  const db = new Database(file);
  const insert = db.prepare('INSERT OR IGNORE INTO attrs (key, value, tseq) VALUES (?, ?, ?)');
  for (const c of db.prepare('SELECT tseq, kv FROM chunks').all() as Array<{ tseq: number; kv: string }>) {
    for (const entry of c.kv.split('\u001e').filter(Boolean)) {
      const [key, value] = entry.split('\u001f');
      insert.run(key, value, c.tseq);
    }
  }
  db.exec("DELETE FROM attr_terms; UPDATE chunks SET kv = NULL; UPDATE meta SET value = '4' WHERE key = 'schema_version'");
  db.close();
}

describe('the attribute index', () => {
  it('answers every attribute filter from the chunks it wrote', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL' });
    for (const t of DATA) await store.write(t);
    await expectFilters(store);
    await store.close();
  });

  it('still answers from the attrs rows of a file schema 4 wrote, beside traces written since', async () => {
    const dir = tmp();
    const first = new SqliteStore({ dataDir: dir, synchronous: 'NORMAL' });
    await first.write(DATA[0] as StoredSpan[]);
    await first.write(DATA[1] as StoredSpan[]);
    await first.close();
    toSchema4(path.join(dir, 'traces.db'));
    const store = new SqliteStore({ dataDir: dir, synchronous: 'NORMAL' });
    await store.write(DATA[2] as StoredSpan[]);
    await expectFilters(store);
    // An old trace gaining spans in the new layout is found by either.
    await store.write(trace(1, 1000, [str('color', 'green')]).map((s) => ({ ...s, span: { ...s.span, spanId: 'ff'.padStart(16, '0') } })));
    assert.deepEqual(await found(store, { op: 'eq', key: 'color', value: 'green' }), [1]);
    assert.deepEqual(await found(store, { op: 'eq', key: 'color', value: 'red' }), [1, 2]);
    await store.close();
  });

  it('does not match across entries when a key or value holds the separators', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL' });
    await store.write(trace(1, 1000, [str('a', 'x\u001eb\u001fy'), str('c', 'd')]));
    assert.deepEqual(await found(store, { op: 'eq', key: 'b', value: 'y' }), []);
    assert.deepEqual(await found(store, { op: 'exists', key: 'b' }), []);
    assert.deepEqual(await found(store, { op: 'eq', key: 'a', value: 'x\u001eb\u001fy' }), [1]);
    await store.close();
  });

  it('drops the search terms of deleted traces, so a later trace that reuses their rows is not matched by them', async () => {
    const dir = tmp();
    const store = new SqliteStore({ dataDir: dir, synchronous: 'NORMAL' });
    await store.write([...trace(1, 1000, [str('color', 'red')]), ...trace(2, 1001, [str('color', 'blue')])]);
    assert.equal(await store.deleteOlderThan(5000n * 1_000_000n, 10), 2);
    await store.write(trace(3, 1002, [str('size', 'big')]));
    assert.deepEqual(await found(store, { op: 'exists', key: 'color' }), []);
    assert.deepEqual(await found(store, { op: 'eq', key: 'size', value: 'big' }), [3]);
    await store.close();
    const db = new Database(path.join(dir, 'traces.db'), { readonly: true });
    assert.equal((db.prepare("SELECT count(*) AS n FROM attr_terms WHERE attr_terms MATCH ?").get(`"k${Buffer.from('color').toString('hex')}"`) as { n: number }).n, 0);
    db.close();
  });
});

describe('ChunkAttrs', () => {
  it('keeps each pair once and lists every key as a term', () => {
    const a = new ChunkAttrs(256);
    a.add('k', 'v');
    a.add('k', 'v');
    a.add('k', 'w');
    assert.equal(a.size, 2);
    assert.equal(a.kv(), '\u001ek\u001fv\u001ek\u001fw\u001e');
    assert.equal(a.terms(), 'a6bx76 a6bx77 k6b');
  });

  it('indexes values up to the given length', () => {
    const a = new ChunkAttrs(3);
    a.add('k', 'abcdef');
    assert.equal(a.kv(), '\u001ek\u001fabc\u001e');
  });

  it('tells whether a key has another value than the one given', () => {
    const kv = '\u001ek\u001fv\u001ekk\u001fw\u001e';
    assert.equal(kvHasOtherValue(kv, 'k', 'v', 256), 0);
    assert.equal(kvHasOtherValue(kv, 'k', 'x', 256), 1);
    assert.equal(kvHasOtherValue(null, 'k', 'x', 256), 0);
  });
});
