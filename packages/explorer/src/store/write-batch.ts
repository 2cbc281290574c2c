/**
 * Every write to the store's tables. `write` is one transaction: per trace it
 * keeps the span ids the trace does not hold yet, up to its cap
 * (trace-span-ids.ts), merges them into the trace's summary row
 * (trace-summary.ts), and appends one chunk; the trace's span attribute
 * pairs (`attrs`), operations and resources (resource-ids.ts) are recorded
 * for search, de-duplicated within the batch (INSERT OR IGNORE across batches).
 */
import { groupByTrace } from './group-by-trace.ts';
import type Database from 'better-sqlite3';
import { type StoredSpan, valueToString } from '../model.ts';
import { encodeChunk } from './chunk-codec.ts';
import type { OperationCatalog, SeenOperation } from './operation-catalog.ts';
import { ResourceIds } from './resource-ids.ts';
import { INDEXED_VALUE_CHARS } from './schema.ts';
import { TraceSpanIds } from './trace-span-ids.ts';
import { type TraceRow, mergeSummary } from './trace-summary.ts';

export interface BatchWriter {
  /** One transaction; when it throws, nothing of the batch is stored. Returns the spans refused by the per-trace cap. */
  write(spans: StoredSpan[]): ReadonlySet<StoredSpan>;
  /** Deletes the traces, then the resources no trace refers to any more. */
  deleteTraces(tseqs: number[]): void;
}

const NONE: ReadonlySet<StoredSpan> = new Set();
const KIND_TAG = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const TRACE_TABLES = ['chunks', 'trace_ops', 'attrs', 'trace_resources', 'traces'];

/** What one transaction gathers: the operations seen (recorded once at the end) and the spans refused. */
interface Batch {
  ops: Map<string, SeenOperation>;
  refused: Set<StoredSpan>;
}

/** The attribute pairs of one trace's new spans, each written once as an `attrs` row. */
class TraceAttrs {
  private readonly seen = new Set<string>();

  constructor(private readonly insert: (key: string, value: string) => void) {}

  add(key: string, value: string): void {
    const indexed = value.slice(0, INDEXED_VALUE_CHARS);
    const k = `${key}\u0000${indexed}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.insert(key, indexed);
  }
}

/** The span's attributes, and the tags the Jaeger API shows (span.kind, otel.status_code, error), which are searchable too. */
function addSearchPairs(attrs: TraceAttrs, s: StoredSpan): void {
  for (const kv of s.span.attributes) attrs.add(kv.key, valueToString(kv.value));
  attrs.add('span.kind', KIND_TAG[s.span.kind] ?? 'unspecified');
  if (s.span.status.code === 2) {
    attrs.add('otel.status_code', 'ERROR');
    attrs.add('error', 'true');
  } else if (s.span.status.code === 1) attrs.add('otel.status_code', 'OK');
}

class SqliteBatchWriter implements BatchWriter {
  private readonly stmt;
  private readonly resources: ResourceIds;
  private readonly spanIds: TraceSpanIds;
  private readonly writeAll: (spans: StoredSpan[], batch: Batch) => void;
  private readonly deleteAll: (tseqs: number[]) => void;

  constructor(
    private readonly db: Database.Database,
    private readonly catalog: OperationCatalog,
    maxSpansPerTrace: number,
  ) {
    this.stmt = {
      getTrace: db
        .prepare<[string], TraceRow>('SELECT tseq, start_ns, end_ns, root_service, root_name, root_known, span_count, error_count, services FROM traces WHERE trace_id = ?')
        .safeIntegers(true),
      insertTrace: db.prepare(
        `INSERT INTO traces (trace_id, start_ns, end_ns, duration_ns, root_service, root_name, root_known, span_count, error_count, services)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateTrace: db.prepare(
        `UPDATE traces SET start_ns = ?, end_ns = ?, duration_ns = ?, root_service = ?, root_name = ?, root_known = ?,
           span_count = ?, error_count = ?, services = ? WHERE tseq = ?`,
      ),
      insertChunk: db.prepare('INSERT INTO chunks (tseq, span_count, data, span_ids) VALUES (?, ?, ?, ?)'),
      insertAttr: db.prepare('INSERT OR IGNORE INTO attrs (key, value, tseq) VALUES (?, ?, ?)'),
      insertOp: db.prepare('INSERT OR IGNORE INTO trace_ops (service, name, kind, tseq) VALUES (?, ?, ?, ?)'),
      insertTraceResource: db.prepare('INSERT OR IGNORE INTO trace_resources (tseq, rid) VALUES (?, ?)'),
      opsOfTraces: db.prepare<[string], { service: string; name: string; kind: number }>(
        'SELECT DISTINCT service, name, kind FROM trace_ops WHERE tseq IN (SELECT value FROM json_each(?))',
      ),
      deleteFrom: TRACE_TABLES.map((table) => db.prepare(`DELETE FROM ${table} WHERE tseq IN (SELECT value FROM json_each(?))`)),
    };
    this.resources = new ResourceIds(db);
    this.spanIds = new TraceSpanIds(db, maxSpansPerTrace);
    this.writeAll = db.transaction((spans: StoredSpan[], batch: Batch) => {
      for (const [traceId, list] of groupByTrace(spans, (s) => s.span.traceId)) this.writeTrace(traceId, list, batch);
      this.catalog.record(batch.ops.values());
    });
    this.deleteAll = db.transaction((tseqs: number[]) => this.deleteInTransaction(tseqs));
  }

  write(spans: StoredSpan[]): ReadonlySet<StoredSpan> {
    // All start empty for each transaction; after a rollback they are dropped unread.
    const batch: Batch = { ops: new Map(), refused: new Set() };
    this.resources.begin();
    try {
      this.writeAll(spans, batch);
    } catch (err) {
      // The cached id sets and operation counts may include what was rolled back.
      this.spanIds.clear();
      this.catalog.reload();
      throw err;
    }
    this.resources.committed();
    return batch.refused.size ? batch.refused : NONE;
  }

  deleteTraces(tseqs: number[]): void {
    if (!tseqs.length) return;
    this.spanIds.clear();
    try {
      this.deleteAll(tseqs);
    } catch (err) {
      this.catalog.reload();
      throw err;
    }
    this.resources.forget();
  }

  private writeTrace(traceId: string, batch: StoredSpan[], tx: Batch): void {
    const existing = this.stmt.getTrace.get(traceId);
    const spans = this.spanIds.newSpans(traceId, existing, batch, tx.refused);
    if (!spans.length) return;
    const tseq = this.saveSummary(traceId, existing, spans);
    this.stmt.insertChunk.run(tseq, spans.length, encodeChunk(spans), Buffer.from(spans.map((s) => s.span.spanId).join(''), 'hex'));
    this.indexSpans(tseq, spans, new TraceAttrs((key, value) => this.stmt.insertAttr.run(key, value, tseq)), tx);
  }

  /** Inserts or updates the trace's summary row; returns its tseq. */
  private saveSummary(traceId: string, existing: TraceRow | undefined, spans: StoredSpan[]): number | bigint {
    const u = mergeSummary(existing, spans);
    const row = [u.startNs, u.endNs, u.durationNs, u.rootService, u.rootName, u.rootKnown ? 1 : 0, u.spanCount, u.errorCount, u.servicesJson] as const;
    if (!existing) return this.stmt.insertTrace.run(traceId, ...row).lastInsertRowid;
    this.stmt.updateTrace.run(...row, existing.tseq);
    return existing.tseq;
  }

  /** The trace's operations, resources and attribute pairs, once each. */
  private indexSpans(tseq: number | bigint, spans: StoredSpan[], attrs: TraceAttrs, tx: Batch): void {
    const ops = new Set<string>();
    const seenResources = new Set<object>();
    for (const s of spans) {
      const opKey = `${s.service}\u0000${s.span.name}\u0000${s.span.kind}`;
      if (!ops.has(opKey)) {
        ops.add(opKey);
        this.stmt.insertOp.run(s.service, s.span.name, s.span.kind, tseq);
        const startNs = BigInt(s.span.startTimeUnixNano);
        const seenOp = tx.ops.get(opKey);
        if (!seenOp) tx.ops.set(opKey, { service: s.service, name: s.span.name, kind: s.span.kind, lastSeenNs: startNs });
        else if (startNs > seenOp.lastSeenNs) seenOp.lastSeenNs = startNs;
      }
      if (!seenResources.has(s.resource)) {
        seenResources.add(s.resource);
        this.stmt.insertTraceResource.run(tseq, this.resources.idOf(s.resource));
      }
      addSearchPairs(attrs, s);
    }
  }

  private deleteInTransaction(tseqs: number[]): void {
    const json = JSON.stringify(tseqs);
    const ops = this.stmt.opsOfTraces.all(json);
    for (const del of this.stmt.deleteFrom) del.run(json);
    this.catalog.forget(ops);
    this.db.exec(`DELETE FROM resources WHERE rid NOT IN (SELECT rid FROM trace_resources);
             DELETE FROM resource_attrs WHERE rid NOT IN (SELECT rid FROM resources);`);
  }
}

export function createBatchWriter(db: Database.Database, catalog: OperationCatalog, maxSpansPerTrace: number): BatchWriter {
  return new SqliteBatchWriter(db, catalog, maxSpansPerTrace);
}
