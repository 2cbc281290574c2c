/**
 * The embedded store: one SQLite file (WAL) under the data directory. Writes
 * from concurrent requests are queued and committed together in one
 * transaction; `write()` resolves only after that commit. With
 * synchronous=FULL the WAL is fsynced at each commit, so an acknowledged span
 * survives a process or OS crash (docs/explorer.md, "Durability").
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SpanKindNumber, StoredSpan } from '../model.ts';
import { decodeChunk } from './chunk-codec.ts';
import { DDL, SCHEMA_VERSION, migrate } from './schema.ts';
import { buildSearch } from './search-sql.ts';
import { toStoreError } from './store-errors.ts';
import {
  type OperationInfo,
  type SearchQuery,
  type SearchResult,
  type Store,
  type StoreStatus,
  type TraceSummary,
  SEARCH_COUNT_CAP,
  StoreBusyError,
  StoreClosedError,
} from './store.ts';
import { type BatchWriter, createBatchWriter } from './write-batch.ts';

export interface SqliteStoreOptions {
  /** Directory holding `traces.db` (created if missing). */
  dataDir: string;
  /** Queued spans beyond which writes are refused with StoreBusyError. Default 200,000. */
  maxQueuedSpans?: number;
  /** Spans per transaction at most. Default 20,000. */
  maxBatchSpans?: number;
  /** 'FULL' (default) fsyncs every commit; 'NORMAL' may lose the last commits on power loss (not on a process crash). */
  synchronous?: 'FULL' | 'NORMAL';
  /** Search counts matching traces up to this many (SearchResult.totalCapped beyond). Default 10,000. */
  searchCountCap?: number;
  /** SQLite page cache, MiB. Default 64: holds the upper levels and much of the trace-id and start-time indexes at 10M spans. */
  cacheMiB?: number;
  /**
   * Bytes of the file SQLite reads through mmap, MiB. Default 0 (off): mapped pages count in the
   * process's RSS (+100 MiB in the ingest bench at 256) and lookups measured no faster.
   */
  mmapMiB?: number;
}

interface Pending {
  spans: StoredSpan[];
  resolve: () => void;
  reject: (err: Error) => void;
}

interface SummaryRow {
  trace_id: string;
  start_ns: bigint;
  duration_ns: bigint;
  root_service: string;
  root_name: string;
  root_known: bigint;
  span_count: bigint;
  error_count: bigint;
  services: string;
}

export const DB_FILE = 'traces.db';

function toSummary(r: SummaryRow): TraceSummary {
  const services = Object.entries(JSON.parse(r.services) as Record<string, number>)
    .map(([name, spanCount]) => ({ name, spanCount }))
    .sort((a, b) => b.spanCount - a.spanCount || a.name.localeCompare(b.name));
  return {
    traceId: r.trace_id,
    rootService: r.root_service,
    rootName: r.root_name,
    rootKnown: Number(r.root_known) === 1,
    startNs: r.start_ns,
    durationNs: r.duration_ns,
    spanCount: Number(r.span_count),
    errorCount: Number(r.error_count),
    services,
  };
}

export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly writer: BatchWriter;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly countCap: number;
  private queue: Pending[] = [];
  private queuedSpans = 0;
  private scheduled = false;
  private closed = false;

  constructor(opts: SqliteStoreOptions) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    this.file = path.join(opts.dataDir, DB_FILE);
    this.db = new Database(this.file);
    // auto_vacuum must be chosen before the first table exists; INCREMENTAL lets retention give space back.
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    // better-sqlite3's default cache (16,000 KiB) holds a fraction of a multi-GB store's index pages (docs/performance.md, section 4).
    this.db.pragma(`cache_size = ${-1024 * (opts.cacheMiB ?? 64)}`);
    if (opts.mmapMiB) this.db.pragma(`mmap_size = ${1024 * 1024 * opts.mmapMiB}`);
    this.db.exec(DDL);
    migrate(this.db);
    this.db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run('schema_version', String(SCHEMA_VERSION));
    this.writer = createBatchWriter(this.db);
    this.maxQueued = opts.maxQueuedSpans ?? 200_000;
    this.maxBatch = opts.maxBatchSpans ?? 20_000;
    this.countCap = opts.searchCountCap ?? SEARCH_COUNT_CAP;
  }

  write(spans: StoredSpan[]): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (spans.length === 0) return Promise.resolve();
    if (this.queuedSpans > 0 && this.queuedSpans + spans.length > this.maxQueued) {
      return Promise.reject(new StoreBusyError(1));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ spans, resolve, reject });
      this.queuedSpans += spans.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets requests that arrived meanwhile join this transaction.
    setImmediate(() => {
      this.scheduled = false;
      this.flushOnce();
      if (this.queue.length) this.schedule();
    });
  }

  private flushOnce(): void {
    const taken: Pending[] = [];
    let count = 0;
    while (this.queue.length && (taken.length === 0 || count + (this.queue[0]?.spans.length ?? 0) <= this.maxBatch)) {
      const p = this.queue.shift() as Pending;
      taken.push(p);
      count += p.spans.length;
    }
    this.queuedSpans -= count;
    if (!taken.length) return;
    try {
      this.writer.write(taken.length === 1 ? (taken[0] as Pending).spans : taken.flatMap((p) => p.spans));
      for (const p of taken) p.resolve();
    } catch (err) {
      if (taken.length === 1) (taken[0] as Pending).reject(toStoreError(err) as Error);
      // The group's transaction rolled back: one bad export must not fail the
      // others that happened to share it, so each is committed on its own.
      else for (const p of taken) this.writeAlone(p);
    }
  }

  private writeAlone(p: Pending): void {
    try {
      this.writer.write(p.spans);
      p.resolve();
    } catch (err) {
      p.reject(toStoreError(err) as Error);
    }
  }

  async getTrace(traceId: string): Promise<StoredSpan[] | undefined> {
    const rows = this.db
      .prepare<[string], { data: Buffer }>(
        'SELECT c.data FROM chunks c JOIN traces t ON t.tseq = c.tseq WHERE t.trace_id = ? ORDER BY c.rowid',
      )
      .all(traceId.toLowerCase());
    if (!rows.length) return undefined;
    // Files written before schema 2 may hold a span twice (a retried export): keep the first copy.
    const seen = new Set<string>();
    const out: StoredSpan[] = [];
    for (const r of rows) {
      for (const s of decodeChunk(r.data)) {
        if (seen.has(s.span.spanId)) continue;
        seen.add(s.span.spanId);
        out.push(s);
      }
    }
    return out;
  }

  /**
   * Counts at most `countCap + 1` matches, then fetches the page. Up to the
   * cap SQLite gathers and sorts every match (from the side tables when a
   * filter is selective). Past it, a newest-first page walks the start-time
   * index backwards and probes each trace against the filters, stopping once
   * the page is full: the cost follows (offset + limit) / share of traces that
   * match, not the number of matches. Both plans give the same order.
   */
  async search(q: SearchQuery): Promise<SearchResult> {
    const match = buildSearch(q, 'match');
    const counted = this.db
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM traces t ${match.where} LIMIT ?)`)
      .get(...match.params, this.countCap + 1) as { n: number };
    const capped = counted.n > this.countCap;
    const walk = capped && q.sort === 'recent';
    const { where, params, orderBy } = walk ? buildSearch(q, 'probe') : match;
    const rows = this.db
      .prepare(
        `SELECT t.trace_id, t.start_ns, t.duration_ns, t.root_service, t.root_name, t.root_known, t.span_count, t.error_count, t.services
         FROM traces t ${walk ? 'INDEXED BY traces_start' : ''} ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
      )
      .safeIntegers(true)
      .all(...params, q.limit, q.offset) as SummaryRow[];
    const traces = rows.map(toSummary);
    if (!capped) return { total: counted.n, totalCapped: false, traces };
    // A short page is the last one, so the total is known after all.
    if (rows.length > 0 && rows.length < q.limit) return { total: q.offset + rows.length, totalCapped: false, traces };
    // Otherwise a lower bound, never below what the pages so far have shown.
    return { total: Math.max(this.countCap, q.offset + rows.length), totalCapped: true, traces };
  }

  async services(): Promise<string[]> {
    const rows = this.db.prepare('SELECT DISTINCT service FROM operations ORDER BY service').all() as Array<{ service: string }>;
    return rows.map((r) => r.service);
  }

  async operations(service?: string): Promise<OperationInfo[]> {
    const rows = (
      service === undefined
        ? this.db.prepare('SELECT service, name, kind FROM operations ORDER BY service, name, kind').all()
        : this.db.prepare('SELECT service, name, kind FROM operations WHERE service = ? ORDER BY name, kind').all(service)
    ) as Array<{ service: string; name: string; kind: number }>;
    return rows.map((r) => ({ service: r.service, name: r.name, kind: r.kind as SpanKindNumber }));
  }

  async recentTraces(sinceNs: bigint, untilNs: bigint, maxTraces: number): Promise<StoredSpan[][]> {
    const ids = this.db
      .prepare('SELECT trace_id FROM traces WHERE start_ns >= ? AND start_ns <= ? ORDER BY start_ns DESC LIMIT ?')
      .all(sinceNs, untilNs, maxTraces) as Array<{ trace_id: string }>;
    const out: StoredSpan[][] = [];
    for (const { trace_id } of ids) {
      const spans = await this.getTrace(trace_id);
      if (spans) out.push(spans);
    }
    return out;
  }

  async status(): Promise<StoreStatus> {
    const row = this.db
      .prepare('SELECT count(*) AS traces, coalesce(sum(span_count), 0) AS spans, min(start_ns) AS oldest FROM traces')
      .safeIntegers(true)
      .get() as { traces: bigint; spans: bigint; oldest: bigint | null };
    return {
      traces: Number(row.traces),
      spans: Number(row.spans),
      dbBytes: this.usedBytes(),
      oldestMs: row.oldest === null ? null : Number(row.oldest / 1_000_000n),
    };
  }

  /**
   * Bytes of live data: pages minus free pages. The WAL is left out: it holds
   * copies of pages counted here and is checkpointed back at ~4 MiB.
   */
  usedBytes(): number {
    const pageSize = Number(this.db.pragma('page_size', { simple: true }));
    const pages = Number(this.db.pragma('page_count', { simple: true }));
    const free = Number(this.db.pragma('freelist_count', { simple: true }));
    return (pages - free) * pageSize;
  }

  async deleteOlderThan(cutoffNs: bigint, batch: number): Promise<number> {
    const ids = this.db
      .prepare('SELECT tseq FROM traces WHERE start_ns < ? ORDER BY start_ns LIMIT ?')
      .all(cutoffNs, batch) as Array<{ tseq: number }>;
    return this.deleteTraces(ids.map((r) => r.tseq));
  }

  async shrinkTo(maxBytes: number, batch: number): Promise<number> {
    if (this.usedBytes() <= maxBytes) return 0;
    const ids = this.db.prepare('SELECT tseq FROM traces ORDER BY start_ns LIMIT ?').all(batch) as Array<{ tseq: number }>;
    return this.deleteTraces(ids.map((r) => r.tseq));
  }

  private deleteTraces(tseqs: number[]): number {
    if (!tseqs.length) return 0;
    this.writer.deleteTraces(tseqs);
    // Give freed pages back to the file system a little at a time.
    this.db.pragma('incremental_vacuum(2000)');
    return tseqs.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.queue.length) this.flushOnce();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
