/**
 * The embedded store: one SQLite file (WAL) under the data directory. Writes
 * from concurrent requests are queued and committed together in one
 * transaction; `write()` resolves only after that commit. With
 * synchronous=FULL the WAL is fsynced at each commit, so an acknowledged span
 * survives a process or OS crash (docs/explorer.md, "Durability").
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { SpanKindNumber, StoredSpan } from '../model.ts';
import { decodeChunk } from './chunk-codec.ts';
import { openDatabase } from './open-db.ts';
import { type OperationCatalog, createOperationCatalog } from './operation-catalog.ts';
import { type SummaryRow, runSearch } from './search-plan.ts';
import {
  type OperationInfo,
  type SearchQuery,
  type SearchResult,
  type Store,
  type StoreStatus,
  type TraceSummary,
  type WriteResult,
  SEARCH_COUNT_CAP,
  StoreBusyError,
  StoreClosedError,
  StoreUnavailableError,
} from './store.ts';
import { toStoreError } from './store-errors.ts';
import { type StoreLimits, resolveStoreLimits } from './store-limits.ts';
import { type BatchWriter, createBatchWriter } from './write-batch.ts';

export interface SqliteStoreOptions extends Partial<StoreLimits> {
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
  /** How long a write waits for a lock another process holds before StoreUnavailableError. Default 5,000 ms. */
  busyTimeoutMs?: number;
}

interface Pending {
  spans: StoredSpan[];
  resolve: (r: WriteResult) => void;
  reject: (err: Error) => void;
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

const STORED: WriteResult = Object.freeze({ rejected: 0, messages: [] }) as WriteResult;

/** The WAL is cut back to this after a checkpoint; it holds copies of pages, so it is not counted in --max-size. */
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;

export class SqliteStore implements Store {
  readonly file: string;
  readonly limits: StoreLimits;
  private readonly db: Database.Database;
  private readonly writer: BatchWriter;
  private readonly catalog: OperationCatalog;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly countCap: number;
  private queue: Pending[] = [];
  private queuedSpans = 0;
  private scheduled = false;
  private closed = false;

  /** @throws StoreCorruptError, StoreVersionError, StoreUnavailableError (see open-db.ts) */
  constructor(opts: SqliteStoreOptions) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    this.file = path.join(opts.dataDir, DB_FILE);
    this.limits = resolveStoreLimits(opts);
    this.db = openDatabase(this.file, {
      synchronous: opts.synchronous ?? 'FULL',
      cacheMiB: opts.cacheMiB ?? 64,
      mmapMiB: opts.mmapMiB ?? 0,
      busyTimeoutMs: opts.busyTimeoutMs ?? 5000,
      walLimitBytes: WAL_LIMIT_BYTES,
    });
    this.catalog = createOperationCatalog(this.db, this.limits);
    this.writer = createBatchWriter(this.db, this.catalog, this.limits.maxSpansPerTrace);
    this.maxQueued = opts.maxQueuedSpans ?? 200_000;
    this.maxBatch = opts.maxBatchSpans ?? 20_000;
    this.countCap = opts.searchCountCap ?? SEARCH_COUNT_CAP;
  }

  write(spans: StoredSpan[]): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (spans.length === 0) return Promise.resolve(STORED);
    if (this.queuedSpans > 0 && this.queuedSpans + spans.length > this.maxQueued) {
      return Promise.reject(new StoreBusyError(1));
    }
    return new Promise<WriteResult>((resolve, reject) => {
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

  /** Commits the next group of queued writes; every one of them is settled whatever happens. */
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
      const refused = this.writer.write(taken.length === 1 ? (taken[0] as Pending).spans : taken.flatMap((p) => p.spans));
      for (const p of taken) p.resolve(this.resultOf(p, refused));
    } catch (raw) {
      const err = toStoreError(raw);
      // A full disk or a lock fails every export alike: no point committing them one by one.
      if (taken.length === 1 || err instanceof StoreUnavailableError) for (const p of taken) p.reject(err);
      // The group's transaction rolled back: one bad export must not fail the
      // others that happened to share it, so each is committed on its own.
      else for (const p of taken) this.writeAlone(p);
    }
  }

  private writeAlone(p: Pending): void {
    try {
      p.resolve(this.resultOf(p, this.writer.write(p.spans)));
    } catch (err) {
      p.reject(toStoreError(err));
    }
  }

  private resultOf(p: Pending, refused: ReadonlySet<StoredSpan>): WriteResult {
    if (refused.size === 0) return STORED;
    const rejected = p.spans.reduce((n, s) => n + (refused.has(s) ? 1 : 0), 0);
    if (rejected === 0) return STORED;
    return {
      rejected,
      messages: [`${rejected} span(s) refused: their trace already holds the most spans a trace may (${this.limits.maxSpansPerTrace})`],
    };
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

  /** Bounded work whatever the query (search-plan.ts); rejects with QueryBudgetError when that cannot give an exact answer. */
  async search(q: SearchQuery): Promise<SearchResult> {
    const { rows, total, totalCapped } = runSearch(this.db, q, { countCap: this.countCap, scanTraces: this.limits.searchScanTraces });
    return { total, totalCapped, traces: rows.map(toSummary) };
  }

  async services(): Promise<string[]> {
    const rows = this.db
      .prepare('SELECT DISTINCT service FROM operations ORDER BY service LIMIT ?')
      .all(this.limits.maxServices) as Array<{ service: string }>;
    return rows.map((r) => r.service);
  }

  async operations(service?: string): Promise<OperationInfo[]> {
    const rows = (
      service === undefined
        ? this.db.prepare('SELECT service, name, kind FROM operations ORDER BY service, name, kind LIMIT ?').all(this.limits.maxOperations)
        : this.db
            .prepare('SELECT service, name, kind FROM operations WHERE service = ? ORDER BY name, kind LIMIT ?')
            .all(service, this.limits.maxOperationsPerService)
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
   * What --max-size bounds: the database file's size (pages × page size; the
   * file is that long once the WAL is checkpointed, which deleteTraces does).
   * The WAL is left out: it holds copies of pages counted here and is cut
   * back to 64 MiB after each checkpoint. A file created before
   * auto_vacuum=INCREMENTAL cannot shrink (only `VACUUM` rewrites it), so
   * there live pages (pages minus free ones) are what is bounded.
   */
  usedBytes(): number {
    const pageSize = Number(this.db.pragma('page_size', { simple: true }));
    const pages = Number(this.db.pragma('page_count', { simple: true }));
    if (this.canShrink()) return pages * pageSize;
    const free = Number(this.db.pragma('freelist_count', { simple: true }));
    return (pages - free) * pageSize;
  }

  /** auto_vacuum: 2 = INCREMENTAL, chosen when the file was created. */
  private canShrink(): boolean {
    return Number(this.db.pragma('auto_vacuum', { simple: true })) === 2;
  }

  async deleteOlderThan(cutoffNs: bigint, batch: number): Promise<number> {
    const ids = this.db
      .prepare('SELECT tseq FROM traces WHERE start_ns < ? ORDER BY start_ns LIMIT ?')
      .all(cutoffNs, batch) as Array<{ tseq: number }>;
    return this.deleteTraces(ids.map((r) => r.tseq));
  }

  async shrinkTo(maxBytes: number, batch: number): Promise<number> {
    // Pages freed by age retention go back first: that alone may be enough.
    if (this.canShrink() && Number(this.db.pragma('freelist_count', { simple: true })) > 0) this.db.pragma('incremental_vacuum');
    if (this.usedBytes() <= maxBytes) return 0;
    const ids = this.db.prepare('SELECT tseq FROM traces ORDER BY start_ns LIMIT ?').all(batch) as Array<{ tseq: number }>;
    return this.deleteTraces(ids.map((r) => r.tseq));
  }

  private deleteTraces(tseqs: number[]): number {
    if (!tseqs.length) return 0;
    try {
      this.writer.deleteTraces(tseqs);
      // Give every page the batch freed back to the file system (a batch frees a few MB at most),
      // and checkpoint so the file itself shrinks now rather than after the next ~4 MiB of writes.
      if (this.canShrink()) {
        this.db.pragma('incremental_vacuum');
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      }
    } catch (err) {
      throw toStoreError(err);
    }
    return tseqs.length;
  }

  /** Finishes queued writes (each settles: committed or rejected), then closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.queue.length) this.flushOnce();
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      // The WAL stays beside the file and is replayed at the next open: nothing committed is lost.
      throw toStoreError(err);
    } finally {
      this.db.close();
    }
  }
}
