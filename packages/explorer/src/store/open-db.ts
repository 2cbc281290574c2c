/**
 * Opens the store's SQLite file: refuses a file that is not a database, whose
 * schema is damaged or that a newer Tracewire wrote, with a message that says
 * what to do; then sets the connection up and brings the schema up to date.
 *
 * Only the header and the schema are checked, not every page: `PRAGMA
 * quick_check` reads the whole file (≈ 250 ms for 43 MB here, so seconds per
 * GB). Damage deeper in the file shows when a statement touches it, as
 * SQLITE_CORRUPT, which toStoreError turns into StoreCorruptError.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { DDL, SCHEMA_VERSION, migrate } from './schema.ts';
import { StoreCorruptError, StoreVersionError } from './store.ts';
import { sqliteCode, toStoreError } from './store-errors.ts';

export interface OpenOptions {
  synchronous: 'FULL' | 'NORMAL';
  cacheMiB: number;
  mmapMiB: number;
  busyTimeoutMs: number;
  /** The WAL file is cut back to this many bytes after a checkpoint (it otherwise keeps its largest size). */
  walLimitBytes: number;
}

/** https://www.sqlite.org/fileformat.html#the_database_header: every database file starts with these 16 bytes. */
const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function corrupt(file: string, what: string): StoreCorruptError {
  return new StoreCorruptError(
    `${file} ${what}. Stop the explorer, move the file aside (mv ${file} ${file}.damaged, with its -wal and -shm files if present) and start it again: it creates a new, empty database. The moved file may still be read with the sqlite3 shell's .recover command.`,
  );
}

function checkHeader(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return; // missing: SQLite creates it
  }
  try {
    const head = Buffer.alloc(HEADER.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    // An empty file is a new database to SQLite; anything else must carry the header.
    if (n > 0 && !head.subarray(0, n).equals(HEADER.subarray(0, n))) throw corrupt(file, 'is not a SQLite database (its first bytes are not the SQLite header)');
    if (n > 0 && n < HEADER.length) throw corrupt(file, 'is too short to be a SQLite database');
  } finally {
    fs.closeSync(fd);
  }
}

function storedVersion(db: Database.Database): number | undefined {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return undefined;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  return row ? Number(row.value) : undefined;
}

function setUp(db: Database.Database, file: string, opts: OpenOptions): void {
  // Reading the schema is what fails on a damaged sqlite_master ("malformed database schema").
  const version = storedVersion(db);
  if (version !== undefined && !(version <= SCHEMA_VERSION)) {
    throw new StoreVersionError(
      `${file} was written by a newer Tracewire (schema ${String(version)}; this version reads up to ${SCHEMA_VERSION}). Run that version, or point --data at another directory.`,
    );
  }
  // auto_vacuum must be chosen before the first table exists; INCREMENTAL lets retention give space back.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous}`);
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs}`);
  db.pragma(`journal_size_limit = ${opts.walLimitBytes}`);
  // better-sqlite3's default cache (16,000 KiB) holds a fraction of a multi-GB store's index pages (docs/performance.md, section 4).
  db.pragma(`cache_size = ${-1024 * opts.cacheMiB}`);
  if (opts.mmapMiB) db.pragma(`mmap_size = ${1024 * 1024 * opts.mmapMiB}`);
  db.exec(DDL);
  migrate(db, version);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    'schema_version',
    String(SCHEMA_VERSION),
  );
}

/**
 * @throws StoreCorruptError (not a database, damaged schema), StoreVersionError (newer schema),
 *   StoreUnavailableError (locked, read-only, I/O error)
 */
export function openDatabase(file: string, opts: OpenOptions): Database.Database {
  checkHeader(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    setUp(db, file, opts);
    return db;
  } catch (err) {
    db?.close();
    const code = sqliteCode(err);
    if (code?.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') throw corrupt(file, `is damaged (${code}: ${(err as Error).message})`);
    throw toStoreError(err);
  }
}
