/**
 * SQLite schema. Indexing is per trace, not per span (house-style.md: one row
 * and three index entries per span cannot reach 100k spans/s): a summary row
 * per trace, span detail in compressed chunks keyed by trace, and two
 * de-duplicated-per-trace lookup tables for search (operations and attributes).
 * Side tables reference the trace by its integer `tseq`, which keeps them small.
 */
import type Database from 'better-sqlite3';

/**
 * 2: `chunks.span_ids` (ingest drops spans a retried export already stored).
 * 3: resources indexed once (`resources`, `resource_attrs`, `trace_resources`).
 * 4: `operations` lists only operations some stored trace has (retention prunes it).
 */
export const SCHEMA_VERSION = 4;

export const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS traces (
  tseq INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL UNIQUE,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  duration_ns INTEGER NOT NULL,
  root_service TEXT NOT NULL,
  root_name TEXT NOT NULL,
  root_known INTEGER NOT NULL,
  span_count INTEGER NOT NULL,
  error_count INTEGER NOT NULL,
  services TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_start ON traces(start_ns);

-- Span detail: one row per (trace, write batch), deflated JSON. span_ids holds the
-- chunk's span ids (8 bytes each, uncompressed) so a later write to the trace can
-- drop spans already stored without inflating the chunk.
CREATE TABLE IF NOT EXISTS chunks (tseq INTEGER NOT NULL, span_count INTEGER NOT NULL, data BLOB NOT NULL, span_ids BLOB);
CREATE INDEX IF NOT EXISTS chunks_tseq ON chunks(tseq);

-- (service, span name, kind) present in a trace.
CREATE TABLE IF NOT EXISTS trace_ops (
  service TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL, tseq INTEGER NOT NULL,
  PRIMARY KEY (service, name, kind, tseq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trace_ops_tseq ON trace_ops(tseq);

-- (attribute key, value as text) present on any span of a trace (and, in files
-- written before schema 3, on its resources).
CREATE TABLE IF NOT EXISTS attrs (
  key TEXT NOT NULL, value TEXT NOT NULL, tseq INTEGER NOT NULL,
  PRIMARY KEY (key, value, tseq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS attrs_tseq ON attrs(tseq);

-- Resources, each distinct attribute set once: a resource's attributes repeat
-- in every trace its process sends, so they are indexed per resource and a
-- trace only names the resources it holds.
CREATE TABLE IF NOT EXISTS resources (rid INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS resource_attrs (
  key TEXT NOT NULL, value TEXT NOT NULL, rid INTEGER NOT NULL,
  PRIMARY KEY (key, value, rid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trace_resources (
  tseq INTEGER NOT NULL, rid INTEGER NOT NULL,
  PRIMARY KEY (tseq, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trace_resources_rid ON trace_resources(rid, tseq);

-- Distinct operations for the service / operation pickers.
CREATE TABLE IF NOT EXISTS operations (
  service TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL,
  PRIMARY KEY (service, name, kind)
) WITHOUT ROWID;
`;

/** Attribute values are indexed up to this many characters (longer ones match by this prefix). */
export const INDEXED_VALUE_CHARS = 256;

/**
 * Brings a database written by an older version up to SCHEMA_VERSION. Each
 * step is additive (no table rewrite), so opening a large old file stays fast.
 */
export function migrate(db: Database.Database, fromVersion: number | undefined): void {
  // Schema 3 only adds tables (the DDL creates them); old traces keep their resource attributes in attrs.
  const columns = db.prepare('PRAGMA table_info(chunks)').all() as Array<{ name: string }>;
  // Version 1 chunks have no span_ids: NULL there means "decode the chunk to learn its ids".
  if (!columns.some((c) => c.name === 'span_ids')) db.exec('ALTER TABLE chunks ADD COLUMN span_ids BLOB');
  // Before 4, retention left the operations of deleted traces listed forever: drop them once
  // (one primary-key probe of trace_ops per listed operation).
  if (fromVersion !== undefined && fromVersion < 4) {
    db.exec(`DELETE FROM operations WHERE NOT EXISTS (
      SELECT 1 FROM trace_ops x WHERE x.service = operations.service AND x.name = operations.name AND x.kind = operations.kind)`);
  }
}
