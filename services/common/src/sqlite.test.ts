import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { memoryTracing } from '../../../test/support/memory-tracing.ts';
import { describeSql, openDatabase } from './sqlite.ts';

const tracing = memoryTracing({ serviceName: 'sqlite-test' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-sqlite-'));
after(async () => {
  await tracing.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('traced SQLite', () => {
  it('names operation and table from the statement', () => {
    assert.deepEqual(describeSql('INSERT INTO orders (a) VALUES (?)'), { operation: 'INSERT', collection: 'orders' });
    assert.deepEqual(describeSql('  select x from "products" where y = ?'), { operation: 'SELECT', collection: 'products' });
    assert.deepEqual(describeSql('UPDATE outbox SET sent_at = ?'), { operation: 'UPDATE', collection: 'outbox' });
    assert.deepEqual(describeSql('PRAGMA user_version'), { operation: 'PRAGMA', collection: undefined });
  });

  it('makes one CLIENT span per statement with the parameterised SQL, never the values', async () => {
    const db = openDatabase(path.join(dir, 'a.db'), 'CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, secret TEXT)');
    db.run('INSERT INTO t (id, secret) VALUES (?, ?)', ['id-1', 'hunter2']);
    assert.equal(db.get<{ secret: string }>('SELECT secret FROM t WHERE id = ?', ['id-1'])?.secret, 'hunter2');
    db.close();
    const insert = await tracing.one('INSERT t');
    assert.equal(insert.kind, SpanKind.CLIENT);
    assert.equal(insert.attributes['db.system.name'], 'sqlite');
    assert.equal(insert.attributes['db.operation.name'], 'INSERT');
    assert.equal(insert.attributes['db.collection.name'], 't');
    assert.equal(insert.attributes['db.query.text'], 'INSERT INTO t (id, secret) VALUES (?, ?)');
    assert.ok(!JSON.stringify(insert.attributes).includes('hunter2'));
    assert.equal((await tracing.one('SELECT t')).attributes['db.namespace'], 'a.db');
  });

  it('records a failing statement on its span and rethrows', async () => {
    tracing.reset();
    const db = openDatabase(path.join(dir, 'b.db'), 'CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY)');
    db.run('INSERT INTO t (id) VALUES (?)', ['x']);
    assert.throws(() => db.run('INSERT INTO t (id) VALUES (?)', ['x']), /UNIQUE/);
    db.close();
    const spans = (await tracing.spans()).filter((s) => s.name === 'INSERT t');
    assert.equal(spans.length, 2);
    assert.equal(spans[1]?.status.code, 2);
  });
  it('a statement that does not compile is an ERROR span too, and is compiled again on the next call', async () => {
    tracing.reset();
    const db = openDatabase(path.join(dir, 'c.db'), 'CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY)');
    for (let i = 0; i < 2; i++) assert.throws(() => db.get('SELECT id FROM missing WHERE id = ?', ['x']), /no such table/);
    db.raw.exec('CREATE TABLE missing (id TEXT)');
    assert.equal(db.get('SELECT id FROM missing WHERE id = ?', ['x']), undefined);
    db.close();
    const spans = (await tracing.spans()).filter((s) => s.name === 'SELECT missing');
    assert.deepEqual(
      spans.map((s) => s.status.code),
      [2, 2, 0],
    );
    assert.match(String(spans[0]?.events[0]?.attributes?.['exception.message']), /no such table/);
  });
});
