/**
 * One place that turns what SQLite throws into the Store contract's errors, so
 * the receivers map store failures to OTLP answers without knowing SQLite.
 * Codes: https://www.sqlite.org/rescode.html (better-sqlite3 puts the extended
 * code, e.g. `SQLITE_IOERR_WRITE`, in `err.code`).
 */
import { StoreCorruptError, StoreUnavailableError } from './store.ts';

/** Conditions that may pass by themselves (space freed, lock released, device back): retryable. */
const RETRY_AFTER_SECONDS: Array<[RegExp, number]> = [
  [/^SQLITE_(BUSY|LOCKED)/, 1],
  [/^SQLITE_FULL$/, 30],
  [/^SQLITE_(IOERR|READONLY|CANTOPEN|NOMEM|PROTOCOL)/, 5],
];

const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

/** The SQLite result code of an error thrown by better-sqlite3, if it is one. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * StoreUnavailableError for a full disk, a lock held elsewhere, an I/O error or a
 * read-only file; StoreCorruptError for a damaged file; anything else unchanged.
 *
 * @example
 * try { writeAll(spans) } catch (err) { throw toStoreError(err) }
 */
export function toStoreError(err: unknown): Error {
  const code = sqliteCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code !== undefined) {
    for (const [re, seconds] of RETRY_AFTER_SECONDS) {
      if (re.test(code)) return new StoreUnavailableError(`the trace database cannot be written right now (${code}: ${message})`, seconds);
    }
    if (CORRUPT.test(code)) {
      return new StoreCorruptError(
        `the trace database is damaged (${code}: ${message}); stop the explorer, move traces.db aside and start it again to begin a new one`,
      );
    }
  }
  return err instanceof Error ? err : new Error(message);
}
