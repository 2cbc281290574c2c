/**
 * A data directory written by the SQLite store (`traces.db`) opened with the
 * segment store: every trace is copied across, oldest first, then the file is
 * renamed `traces.db.migrated` (kept: nothing is deleted). Stopped half-way,
 * the next start copies again from the beginning; spans already copied are
 * recognised by their ids and stored once.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE, SqliteStore } from '../sqlite-store.ts';
import type { Store } from '../store.ts';

export interface MigrationProgress {
  traces: number;
  of: number;
}

const MIGRATED = `${DB_FILE}.migrated`;
/** Traces read and written per step: a few thousand spans, one store write. */
const STEP = 500;

function traceIds(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT trace_id FROM traces ORDER BY tseq').pluck().all() as string[]) ?? [];
  } finally {
    db.close();
  }
}

/** Copies `dataDir/traces.db` into `store` when it is there; returns the traces copied (0 when there was no file). */
export async function migrateSqlite(dataDir: string, store: Store, onProgress?: (p: MigrationProgress) => void): Promise<number> {
  const file = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(file)) return 0;
  // Opening it through the SQLite store first replays its WAL and upgrades an older schema.
  const sqlite = new SqliteStore({ dataDir });
  await sqlite.close();
  const ids = traceIds(file);
  const source = new SqliteStore({ dataDir });
  try {
    for (let i = 0; i < ids.length; i += STEP) {
      const batch = await Promise.all(ids.slice(i, i + STEP).map((id) => source.getTrace(id)));
      const spans = batch.flatMap((t) => t ?? []);
      if (spans.length) await store.write(spans);
      onProgress?.({ traces: Math.min(i + STEP, ids.length), of: ids.length });
    }
  } finally {
    await source.close();
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.renameSync(file, path.join(dataDir, MIGRATED));
  return ids.length;
}
