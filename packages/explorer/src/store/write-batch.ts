/**
 * Every write to the store's tables. `write` is one transaction: it merges
 * the batch's spans into the per-trace summary rows, appends one chunk per
 * trace with its span attribute pairs (`kv`, and one FTS5 document in
 * `attr_terms`: attr-index.ts), and records the trace's operations and
 * resources for search (de-duplicated within the batch; INSERT OR IGNORE
 * de-duplicates across batches).
 *
 * A span whose id the trace already holds is dropped (first copy wins): an
 * exporter that retries after a lost answer sends the same spans again, and
 * counting them twice would skew span and error counts in search. A trace
 * holds at most `maxSpansPerTrace` spans; later ones are refused and returned
 * to the caller, which reports them (OTLP partial success).
 *
 * A resource (the same attribute set from every export of a process) is
 * indexed once, under its `rid`; a trace gets one `trace_resources` row per
 * resource instead of one `attrs` row per resource attribute, which was the
 * larger share of the index rows written per span.
 */
import type Database from 'better-sqlite3';
import { type Resource, type StoredSpan, valueToString } from '../model.ts';
import { ChunkAttrs } from './attr-index.ts';
import { decodeChunk, encodeChunk } from './chunk-codec.ts';
import type { OperationCatalog, SeenOperation } from './operation-catalog.ts';
import { INDEXED_VALUE_CHARS } from './schema.ts';
import { SpanIdCache } from './span-id-cache.ts';

interface TraceRow {
  tseq: number;
  start_ns: bigint;
  end_ns: bigint;
  root_service: string;
  root_name: string;
  root_known: number | bigint;
  span_count: number | bigint;
  error_count: number | bigint;
  services: string;
}

export interface BatchWriter {
  /** One transaction; when it throws, nothing of the batch is stored. Returns the spans refused by the per-trace cap. */
  write(spans: StoredSpan[]): ReadonlySet<StoredSpan>;
  /** Deletes the traces, then the resources no trace refers to any more. */
  deleteTraces(tseqs: number[]): void;
}

/** Resource ids remembered across batches; past this many distinct resources the memory starts over. */
const RESOURCE_CACHE_MAX = 10_000;
/** Traces holding more spans than this keep their ids in the SpanIdCache instead of being read on each write. */
const READ_IDS_BELOW = 256;
/** Span ids the SpanIdCache holds at most (≈ 60 bytes each). */
const SPAN_ID_CACHE_MAX = 500_000;
const NONE: ReadonlySet<StoredSpan> = new Set();

const KIND_TAG = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export function createBatchWriter(db: Database.Database, catalog: OperationCatalog, maxSpansPerTrace: number): BatchWriter {
  const getTrace = db
    .prepare<[string], TraceRow>(
      'SELECT tseq, start_ns, end_ns, root_service, root_name, root_known, span_count, error_count, services FROM traces WHERE trace_id = ?',
    )
    .safeIntegers(true);
  const insertTrace = db.prepare(
    `INSERT INTO traces (trace_id, start_ns, end_ns, duration_ns, root_service, root_name, root_known, span_count, error_count, services)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const updateTrace = db.prepare(
    `UPDATE traces SET start_ns = ?, end_ns = ?, duration_ns = ?, root_service = ?, root_name = ?, root_known = ?,
       span_count = ?, error_count = ?, services = ? WHERE tseq = ?`,
  );
  const insertChunk = db.prepare('INSERT INTO chunks (tseq, span_count, kv, data, span_ids) VALUES (?, ?, ?, ?, ?)');
  const insertTerms = db.prepare('INSERT INTO attr_terms (rowid, t) VALUES (?, ?)');
  // The chunk body is read only for chunks written before span_ids existed.
  const chunkIds = db.prepare<[number | bigint], { span_ids: Buffer | null; data: Buffer | null }>(
    'SELECT span_ids, CASE WHEN span_ids IS NULL THEN data END AS data FROM chunks WHERE tseq = ?',
  );

  const storedIds = (tseq: number | bigint): Set<string> => {
    const ids = new Set<string>();
    for (const row of chunkIds.all(tseq)) {
      if (row.span_ids) for (let i = 0; i + 8 <= row.span_ids.length; i += 8) ids.add(row.span_ids.toString('hex', i, i + 8));
      else if (row.data) for (const s of decodeChunk(row.data)) ids.add(s.span.spanId);
    }
    return ids;
  };
  const idCache = new SpanIdCache(SPAN_ID_CACHE_MAX);
  /** The ids the trace holds: from the cache, or read from its chunks (and cached when the trace is large). */
  const idsOf = (traceId: string, existing: TraceRow | undefined): Set<string> => {
    if (!existing) return new Set();
    const cached = idCache.get(traceId);
    if (cached) return cached;
    const ids = storedIds(existing.tseq);
    if (ids.size >= READ_IDS_BELOW) idCache.put(traceId, ids);
    return ids;
  };
  const insertOp = db.prepare('INSERT OR IGNORE INTO trace_ops (service, name, kind, tseq) VALUES (?, ?, ?, ?)');
  // Before the chunks go: their FTS documents are found by the chunks' rowids.
  const deleteTerms = db.prepare('DELETE FROM attr_terms WHERE rowid IN (SELECT rowid FROM chunks WHERE tseq IN (SELECT value FROM json_each(?)))');
  const opsOfTraces = db.prepare<[string], { service: string; name: string; kind: number }>(
    'SELECT DISTINCT service, name, kind FROM trace_ops WHERE tseq IN (SELECT value FROM json_each(?))',
  );
  const findResource = db.prepare<[string], { rid: number }>('SELECT rid FROM resources WHERE fingerprint = ?');
  const insertResource = db.prepare('INSERT INTO resources (fingerprint) VALUES (?)');
  const insertResourceAttr = db.prepare('INSERT OR IGNORE INTO resource_attrs (key, value, rid) VALUES (?, ?, ?)');
  const insertTraceResource = db.prepare('INSERT OR IGNORE INTO trace_resources (tseq, rid) VALUES (?, ?)');

  // fingerprint -> rid, for resources committed earlier. Ids created by the
  // transaction in progress wait in `created` until it commits: a rolled-back
  // rid may be handed to another resource later.
  const knownResources = new Map<string, number>();
  let created = new Map<string, number>();
  // Within one write: an export's spans share their resource object across
  // traces, so its fingerprint is computed once per write, not once per trace.
  let byObject = new WeakMap<Resource, number>();
  const resourceId = (resource: Resource): number => {
    const seen = byObject.get(resource);
    if (seen !== undefined) return seen;
    const fingerprint = JSON.stringify(resource.attributes);
    let rid = knownResources.get(fingerprint) ?? created.get(fingerprint) ?? findResource.get(fingerprint)?.rid;
    if (rid === undefined) {
      rid = Number(insertResource.run(fingerprint).lastInsertRowid);
      for (const kv of resource.attributes) insertResourceAttr.run(kv.key, valueToString(kv.value).slice(0, INDEXED_VALUE_CHARS), rid);
      created.set(fingerprint, rid);
    }
    byObject.set(resource, rid);
    return rid;
  };

  // Per transaction: the operations seen (recorded once at the end) and the spans refused.
  let batchOps = new Map<string, SeenOperation>();
  let refused = new Set<StoredSpan>();

  /** The batch's spans the trace does not hold yet, up to the per-trace cap; the rest over the cap go to `refused`. */
  const newSpans = (traceId: string, existing: TraceRow | undefined, batch: StoredSpan[]): StoredSpan[] => {
    const seen = idsOf(traceId, existing);
    const before = seen.size;
    let room = maxSpansPerTrace - (existing ? Number(existing.span_count) : 0);
    const spans: StoredSpan[] = [];
    for (const s of batch) {
      if (seen.has(s.span.spanId)) continue;
      if (room <= 0) {
        refused.add(s);
        continue;
      }
      seen.add(s.span.spanId);
      spans.push(s);
      room--;
    }
    if (idCache.get(traceId) === seen) idCache.grew(seen.size - before);
    return spans;
  };

  const writeTrace = (traceId: string, batch: StoredSpan[]) => {
    const existing = getTrace.get(traceId);
    const spans = newSpans(traceId, existing, batch);
    if (!spans.length) return;
    let start = existing?.start_ns;
    let end = existing?.end_ns;
    let rootService = existing?.root_service ?? '';
    let rootName = existing?.root_name ?? '';
    let rootKnown = existing ? Number(existing.root_known) === 1 : false;
    let errors = existing ? Number(existing.error_count) : 0;
    const services: Record<string, number> = existing ? (JSON.parse(existing.services) as Record<string, number>) : {};

    for (const s of spans) {
      const sStart = BigInt(s.span.startTimeUnixNano);
      const sEnd = BigInt(s.span.endTimeUnixNano);
      const isRoot = s.span.parentSpanId === '';
      if ((isRoot && !rootKnown) || (!rootKnown && (start === undefined || sStart < start))) {
        rootService = s.service;
        rootName = s.span.name;
        rootKnown = isRoot;
      }
      if (start === undefined || sStart < start) start = sStart;
      if (end === undefined || sEnd > end) end = sEnd;
      if (s.span.status.code === 2) errors++;
      services[s.service] = (services[s.service] ?? 0) + 1;
    }
    const s0 = start ?? 0n;
    const e0 = end ?? s0;
    const duration = e0 > s0 ? e0 - s0 : 0n;
    const spanCount = (existing ? Number(existing.span_count) : 0) + spans.length;
    const servicesJson = JSON.stringify(services);
    let tseq: number | bigint;
    if (existing) {
      tseq = existing.tseq;
      updateTrace.run(s0, e0, duration, rootService, rootName, rootKnown ? 1 : 0, spanCount, errors, servicesJson, tseq);
    } else {
      tseq = insertTrace.run(traceId, s0, e0, duration, rootService, rootName, rootKnown ? 1 : 0, spanCount, errors, servicesJson).lastInsertRowid;
    }
    const ops = new Set<string>();
    const attrs = new ChunkAttrs(INDEXED_VALUE_CHARS);
    const seenResources = new Set<object>();
    for (const s of spans) {
      const opKey = `${s.service}\u0000${s.span.name}\u0000${s.span.kind}`;
      if (!ops.has(opKey)) {
        ops.add(opKey);
        insertOp.run(s.service, s.span.name, s.span.kind, tseq);
        const startNs = BigInt(s.span.startTimeUnixNano);
        const seenOp = batchOps.get(opKey);
        if (!seenOp) batchOps.set(opKey, { service: s.service, name: s.span.name, kind: s.span.kind, lastSeenNs: startNs });
        else if (startNs > seenOp.lastSeenNs) seenOp.lastSeenNs = startNs;
      }
      if (!seenResources.has(s.resource)) {
        seenResources.add(s.resource);
        insertTraceResource.run(tseq, resourceId(s.resource));
      }
      for (const kv of s.span.attributes) attrs.add(kv.key, valueToString(kv.value));
      // The tags the Jaeger API shows are searchable too (span.kind, otel.status_code, error).
      attrs.add('span.kind', KIND_TAG[s.span.kind] ?? 'unspecified');
      if (s.span.status.code === 2) {
        attrs.add('otel.status_code', 'ERROR');
        attrs.add('error', 'true');
      } else if (s.span.status.code === 1) attrs.add('otel.status_code', 'OK');
    }
    const ids = Buffer.from(spans.map((s) => s.span.spanId).join(''), 'hex');
    const chunk = insertChunk.run(tseq, spans.length, attrs.kv(), encodeChunk(spans), ids).lastInsertRowid;
    if (attrs.size) insertTerms.run(chunk, attrs.terms());
  };

  const writeAll = db.transaction((spans: StoredSpan[]) => {
    const byTrace = new Map<string, StoredSpan[]>();
    for (const s of spans) {
      const list = byTrace.get(s.span.traceId);
      if (list) list.push(s);
      else byTrace.set(s.span.traceId, [s]);
    }
    for (const [traceId, list] of byTrace) writeTrace(traceId, list);
    catalog.record(batchOps.values());
  });

  const deleteAll = db.transaction((tseqs: number[]) => {
    const json = JSON.stringify(tseqs);
    const ops = opsOfTraces.all(json);
    deleteTerms.run(json);
    for (const table of ['chunks', 'trace_ops', 'attrs', 'trace_resources', 'traces']) {
      db.prepare(`DELETE FROM ${table} WHERE tseq IN (SELECT value FROM json_each(?))`).run(json);
    }
    catalog.forget(ops);
    db.exec(`DELETE FROM resources WHERE rid NOT IN (SELECT rid FROM trace_resources);
             DELETE FROM resource_attrs WHERE rid NOT IN (SELECT rid FROM resources);`);
  });

  return {
    write(spans) {
      // All start empty for each transaction; after a rollback they are dropped unread.
      created = new Map();
      byObject = new WeakMap();
      batchOps = new Map();
      refused = new Set();
      try {
        writeAll(spans);
      } catch (err) {
        // The cached id sets and operation counts may include what was rolled back.
        idCache.clear();
        catalog.reload();
        throw err;
      }
      if (knownResources.size + created.size > RESOURCE_CACHE_MAX) knownResources.clear();
      for (const [fingerprint, rid] of created) knownResources.set(fingerprint, rid);
      return refused.size ? refused : NONE;
    },
    deleteTraces(tseqs) {
      if (!tseqs.length) return;
      // A deleted trace's id may come back as a new trace; its cached ids must not drop the new spans.
      idCache.clear();
      try {
        deleteAll(tseqs);
      } catch (err) {
        catalog.reload();
        throw err;
      }
      // Some remembered resources may be gone now.
      knownResources.clear();
    },
  };
}
