/**
 * SQLite failures as the Store contract's errors
 * (https://www.sqlite.org/rescode.html): a full disk, a lock held too long or an
 * I/O error may pass by themselves, so writes are refused as retryable
 * (StoreUnavailableError); a damaged file is StoreCorruptError. Anything else
 * is returned unchanged.
 */
import { StoreCorruptError, StoreUnavailableError } from './store.ts';

const RETRYABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL|NOMEM)/;
const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

function sqliteCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

export function toStoreError(err: unknown): unknown {
  const code = sqliteCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (CORRUPT.test(code)) return new StoreCorruptError(`${message} (${code})`);
  if (RETRYABLE.test(code)) {
    const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
    return new StoreUnavailableError(`the database cannot be written right now: ${message} (${code})`, busy ? 1 : 5);
  }
  return err;
}
