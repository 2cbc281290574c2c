import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toStoreError } from './store-errors.ts';
import { StoreCorruptError, StoreUnavailableError } from './store.ts';

const sqliteError = (code: string) => Object.assign(new Error(`${code} happened`), { code });

describe('toStoreError', () => {
  it('makes a full disk, a held lock or an I/O error retryable', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY']) {
      assert.ok(toStoreError(sqliteError(code)) instanceof StoreUnavailableError, code);
    }
    assert.equal((toStoreError(sqliteError('SQLITE_BUSY')) as StoreUnavailableError).retryAfterSeconds, 1);
  });
  it('makes a damaged file StoreCorruptError and leaves other errors alone', () => {
    assert.ok(toStoreError(sqliteError('SQLITE_NOTADB')) instanceof StoreCorruptError);
    assert.ok(toStoreError(sqliteError('SQLITE_CORRUPT')) instanceof StoreCorruptError);
    const other = sqliteError('SQLITE_CONSTRAINT_UNIQUE');
    assert.equal(toStoreError(other), other);
  });
});
