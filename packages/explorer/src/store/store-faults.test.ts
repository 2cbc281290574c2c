/**
 * A damaged, locked or newer database: the store refuses to open it with a
 * message that says what to do, or refuses writes with the retryable
 * StoreUnavailableError, and every queued write is settled.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { StoredSpan } from '../model.ts';
import { SqliteStore } from './sqlite-store.ts';
import { spanIdOf, testSpan } from './test-spans.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-faults-'));

function spans(trace: number, count: number): StoredSpan[] {
  return Array.from({ length: count }, (_, i) => testSpan(trace, i, { spanId: spanIdOf(trace * 1000 + i + 1) }));
}

function openError(dir: string): Error {
  try {
    new SqliteStore({ dataDir: dir });
  } catch (err) {
    return err as Error;
  }
  assert.fail('the store opened');
}

describe('SqliteStore with a damaged, newer or locked database', () => {
  it('refuses a file that is not a database, naming it and saying to move it aside', () => {
    const dir = tmp();
    const file = path.join(dir, 'traces.db');
    fs.writeFileSync(file, 'these bytes were never a SQLite database '.repeat(200));
    const err = openError(dir);
    assert.equal(err.name, 'StoreCorruptError');
    assert.match(err.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a SQLite database`));
    assert.match(err.message, /move the file aside/);
  });

  it('refuses a database whose schema is damaged', async () => {
    const dir = tmp();
    await new SqliteStore({ dataDir: dir }).close();
    // Page 1 holds the schema table after the 100-byte file header: scribble over its cells.
    const fd = fs.openSync(path.join(dir, 'traces.db'), 'r+');
    fs.writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 1000);
    fs.closeSync(fd);
    const err = openError(dir);
    assert.equal(err.name, 'StoreCorruptError');
    assert.match(err.message, /is damaged \(SQLITE_CORRUPT/);
    assert.match(err.message, /move the file aside/);
  });

  it('refuses a database a newer version wrote, and leaves its version as it was', async () => {
    const dir = tmp();
    await new SqliteStore({ dataDir: dir }).close();
    const file = path.join(dir, 'traces.db');
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    const err = openError(dir);
    assert.equal(err.name, 'StoreVersionError');
    assert.match(err.message, /written by a newer Tracewire \(schema 99/);
    const after = new Database(file, { readonly: true });
    assert.deepEqual(after.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get(), { value: '99' });
    after.close();
  });

  it('rejects every queued write with StoreUnavailableError while another process holds the write lock, and writes again once it is released', async () => {
    const dir = tmp();
    const store = new SqliteStore({ dataDir: dir, busyTimeoutMs: 50 });
    await store.write(spans(1, 2));
    const other = new Database(path.join(dir, 'traces.db'));
    other.exec('BEGIN EXCLUSIVE');
    const outcomes = await Promise.allSettled([store.write(spans(2, 2)), store.write(spans(3, 2)), store.write(spans(4, 2))]);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).name : 'stored')),
      ['StoreUnavailableError', 'StoreUnavailableError', 'StoreUnavailableError'],
    );
    const first = outcomes[0] as PromiseRejectedResult;
    assert.match((first.reason as Error).message, /SQLITE_BUSY/);
    assert.equal((first.reason as { retryAfterSeconds: number }).retryAfterSeconds, 1);
    other.exec('COMMIT');
    other.close();
    await store.write(spans(2, 2));
    assert.equal((await store.status()).spans, 4, 'the first write and the retried one, nothing of the refused ones');
    await store.close();
  });
});
