/**
 * Which of a batch's spans a trace may take. A span whose id the trace already
 * holds is dropped (first copy wins): an exporter that retries after a lost
 * answer sends the same spans again, and counting them twice would skew span
 * and error counts in search. A trace holds at most `maxSpansPerTrace` spans;
 * later ones are refused, and the caller reports them (OTLP partial success).
 */
import type Database from 'better-sqlite3';
import type { StoredSpan } from '../model.ts';
import { decodeChunk } from './chunk-codec.ts';
import { SpanIdCache } from './span-id-cache.ts';
import type { TraceRow } from './trace-summary.ts';

/** Traces holding more spans than this keep their ids in the SpanIdCache instead of being read on each write. */
const READ_IDS_BELOW = 256;
/** Span ids the SpanIdCache holds at most (≈ 60 bytes each). */
const SPAN_ID_CACHE_MAX = 500_000;

export class TraceSpanIds {
  private readonly cache = new SpanIdCache(SPAN_ID_CACHE_MAX);
  private readonly chunkIds: Database.Statement<[number | bigint], { span_ids: Buffer | null; data: Buffer | null }>;

  constructor(
    db: Database.Database,
    private readonly maxSpansPerTrace: number,
  ) {
    // The chunk body is read only for chunks written before span_ids existed.
    this.chunkIds = db.prepare('SELECT span_ids, CASE WHEN span_ids IS NULL THEN data END AS data FROM chunks WHERE tseq = ?');
  }

  /** The batch's spans the trace does not hold yet, up to the cap; those over the cap are added to `refused`. */
  newSpans(traceId: string, existing: TraceRow | undefined, batch: readonly StoredSpan[], refused: Set<StoredSpan>): StoredSpan[] {
    const seen = this.idsOf(traceId, existing);
    const before = seen.size;
    let room = this.maxSpansPerTrace - (existing ? Number(existing.span_count) : 0);
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
    if (this.cache.get(traceId) === seen) this.cache.grew(seen.size - before);
    return spans;
  }

  /** After a rollback (the cached sets may hold ids never stored) or deletes (a deleted trace's id may come back). */
  clear(): void {
    this.cache.clear();
  }

  /** The ids the trace holds: from the cache, or read from its chunks (and cached when the trace is large). */
  private idsOf(traceId: string, existing: TraceRow | undefined): Set<string> {
    if (!existing) return new Set();
    const cached = this.cache.get(traceId);
    if (cached) return cached;
    const ids = new Set<string>();
    for (const row of this.chunkIds.all(existing.tseq)) {
      if (row.span_ids) for (let i = 0; i + 8 <= row.span_ids.length; i += 8) ids.add(row.span_ids.toString('hex', i, i + 8));
      else if (row.data) for (const s of decodeChunk(row.data)) ids.add(s.span.spanId);
    }
    if (ids.size >= READ_IDS_BELOW) this.cache.put(traceId, ids);
    return ids;
  }
}
