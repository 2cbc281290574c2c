/**
 * The segment store: traces in append-only segment files (one per ~N spans,
 * oldest dropped whole by retention), indexes in memory. A write is indexed
 * at once and acknowledged after the group commit that appends its block and
 * fdatasyncs the file; deflate and the file calls run on libuv's threads, so
 * the event loop only decodes and indexes. docs/performance.md (issue 12) has
 * the figures that chose it; docs/explorer.md the layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type StoredSpan, valueToString } from '../../model.ts';
import type { SpanLimits } from '../../receive/limits.ts';
import {
  type OperationInfo,
  type SearchQuery,
  type SearchResult,
  type RequestWriteResult,
  type Store,
  type StoreStatus,
  type WriteResult,
  SEARCH_COUNT_CAP,
  StoreBusyError,
  compareOperations,
  StoreClosedError,
  StoreCorruptError,
  StoreUnavailableError,
} from '../store.ts';
import { INDEXED_VALUE_CHARS } from '../schema.ts';
import { type StoreLimits, resolveStoreLimits } from '../store-limits.ts';
import { groupByTrace } from '../group-by-trace.ts';
import { BlockCache } from './block-cache.ts';
import { MalformedBlockError } from './segment-errors.ts';
import { type DirLock, lockDir } from './dir-lock.ts';
import { Segment, type SegmentIo, seqOfFile } from './segment.ts';
import { snapshotFile } from './segment-snapshot.ts';
import { scanRequest } from './request-scan.ts';
import { type SpanFacts, factsOf, traceHashOfHex } from './span-facts.ts';
import { EdgeResolver, type EdgeResolverOptions } from './edge-resolver.ts';
import { MapTotals, mapOfTotals } from './map-summary.ts';
import type { ServiceMap } from '../../api-types.ts';
import { type SearchSegment, searchSegments } from './segment-search.ts';

export interface SegmentStoreOptions extends Partial<StoreLimits> {
  /** Directory holding the `segments/` directory (created if missing). */
  dataDir: string;
  /** New traces go to a new segment once the newest holds this many spans. Default SEGMENT_SPANS. */
  segmentSpans?: number;
  /** Spans accepted but not yet committed beyond which writes are refused with StoreBusyError. Default 200,000. */
  maxQueuedSpans?: number;
  /** Search counts matching traces up to this many. Default 10,000. */
  searchCountCap?: number;
  /** Inflated blocks kept for reads, MiB. Default 32. */
  blockCacheMiB?: number;
  /** Sizes of the service map's pairing tables (tests make them small). */
  edgeTables?: EdgeResolverOptions;
  /** Where blocks are deflated, written and synced (segment.ts); default 'pool'. */
  io?: SegmentIo;
  /** Called after each segment read at open (a store of millions of spans takes a while). */
  onOpenProgress?: (read: number, of: number) => void;
}

export const SEGMENTS_DIR = 'segments';
/**
 * Spans of a segment. The newest segment's index is the mutable kind, ~170 bytes of heap a
 * span against ~16 once frozen: 250,000 (not 500,000) kept the explorer's peak RSS 50-65 MiB
 * lower at the ingest bench's windows, with no rate lost and the 10M queries within their
 * targets (docs/performance.md, section 3, sixth pass).
 */
export const SEGMENT_SPANS = 250_000;

interface Waiter {
  resolve: (r: WriteResult) => void;
  reject: (err: Error) => void;
  result: WriteResult;
  spans: number;
}

const STORED: WriteResult = Object.freeze({ rejected: 0, messages: [] }) as WriteResult;

export class SegmentStore implements Store {
  readonly dir: string;
  readonly limits: StoreLimits;
  private readonly segmentSpans: number;
  private readonly maxQueued: number;
  private readonly countCap: number;
  private readonly cache: BlockCache;
  /** Pairs spans with parents across writes for the service map (edge-resolver.ts). */
  private readonly edges: EdgeResolver;
  private readonly io: SegmentIo;
  /** Oldest first; the last one takes new traces. */
  private segments: Segment[] = [];
  private waiting: Waiter[] = [];
  private queuedSpans = 0;
  private committing: Promise<void> | undefined;
  private closed = false;
  private lock: DirLock | undefined;
  /** Segments are being read back after a failed commit: writes wait outside (retryable). */
  private recovering = false;

  private constructor(opts: SegmentStoreOptions) {
    this.dir = path.join(opts.dataDir, SEGMENTS_DIR);
    this.limits = resolveStoreLimits(opts);
    this.segmentSpans = opts.segmentSpans ?? SEGMENT_SPANS;
    this.maxQueued = opts.maxQueuedSpans ?? 200_000;
    this.countCap = opts.searchCountCap ?? SEARCH_COUNT_CAP;
    this.cache = new BlockCache((opts.blockCacheMiB ?? 32) * 1024 * 1024);
    this.edges = new EdgeResolver(opts.edgeTables);
    this.io = opts.io ?? 'pool';
  }

  /** Opens the directory, re-indexing every segment file in it. */
  static async open(opts: SegmentStoreOptions): Promise<SegmentStore> {
    const store = new SegmentStore(opts);
    fs.mkdirSync(store.dir, { recursive: true });
    store.lock = lockDir(store.dir);
    const names = fs.readdirSync(store.dir);
    // Snapshots a crash cut short (the finished ones were renamed into place).
    for (const n of names) if (n.endsWith('.idx.tmp')) fs.rmSync(path.join(store.dir, n), { force: true });
    const seqs = names
      .map(seqOfFile)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    try {
      for (const seq of seqs) {
        store.segments.push(await Segment.load(store.dir, seq, store.cache, store.io, store.limits.maxSpansPerTrace, store.edges));
        opts.onOpenProgress?.(store.segments.length, seqs.length);
      }
      for (const s of store.segments.slice(0, -1)) s.freeze();
      // Segments re-read from their files (no snapshot, a stale one, one of an older format) are saved now, not re-read at every open.
      await store.snapshotFilled();
    } catch (err) {
      await Promise.all(store.segments.map((s) => s.close()));
      store.lock.release();
      if (!(err instanceof MalformedBlockError)) throw err;
      throw new StoreCorruptError(
        `a segment file in ${store.dir} is damaged (${err.message}); stop the explorer and move that file aside to start without its traces`,
      );
    }
    return store;
  }

  private newest(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last && last.index.spans < this.segmentSpans) return last;
    last?.freeze();
    const next = Segment.fresh(this.dir, (last?.seq ?? 0) + 1, this.cache, this.io);
    this.segments.push(next);
    return next;
  }

  /** The segment already holding the trace, newest first (a late span joins its trace's segment), else the newest. */
  private ownerOf(traceId: string, hash: number): Segment {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i] as Segment;
      if (seg.holds(traceId, hash)) return seg;
    }
    return this.newest();
  }

  write(spans: StoredSpan[]): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return this.writeFacts(spans.map(factsOf));
  }

  /**
   * A request stored as sent: its spans are scanned for what the index needs, not decoded into
   * objects (request-scan.ts); undefined when the scan cannot promise the decoder's outcome.
   * Unlike `write` callers, the receiver does not split it into groups: no write here holds
   * the event loop for long.
   */
  writeProtobuf(request: Uint8Array, limits: SpanLimits): Promise<RequestWriteResult> | undefined {
    if (this.closed) return undefined;
    const facts = scanRequest(request, limits);
    return facts && this.writeScanned(facts);
  }

  /** Stores the spans of one scanned request (writeProtobuf's second half: a shard scans first, store/shards). */
  writeScanned(facts: SpanFacts[]): Promise<RequestWriteResult> {
    const traceIds = new Set<string>();
    for (const f of facts) traceIds.add(f.traceId);
    return this.writeFacts(facts).then((r) => ({ ...r, spans: facts.length, traceIds }));
  }

  /** Stores spans as scanned from a request (request-scan.ts) or derived from decoded ones: the one write path. */
  writeFacts(spans: SpanFacts[]): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (spans.length === 0) return Promise.resolve(STORED);
    if (this.recovering) return Promise.reject(new StoreUnavailableError('the trace store is re-reading its files after a failed write', 1));
    if (this.queuedSpans > 0 && this.queuedSpans + spans.length > this.maxQueued) return Promise.reject(new StoreBusyError(1));
    let rejected = 0;
    for (const [traceId, list] of groupByTrace(spans, (s) => s.traceId)) rejected += this.ownerOf(traceId, (list[0] as SpanFacts).traceHash).accept(traceId, list, this.limits.maxSpansPerTrace, this.edges);
    const result: WriteResult = rejected
      ? { rejected, messages: [`${rejected} span(s) refused: their trace already holds the most spans a trace may (${this.limits.maxSpansPerTrace})`] }
      : STORED;
    return new Promise<WriteResult>((resolve, reject) => {
      this.waiting.push({ resolve, reject, result, spans: spans.length });
      this.queuedSpans += spans.length;
      this.kick();
    });
  }

  /** Starts a commit unless one runs; the one running starts the next when it ends. */
  private kick(): void {
    if (this.committing) return;
    this.committing = (async () => {
      while (this.waiting.length) {
        await this.commitOnce();
        await this.snapshotFilled();
      }
    })().finally(() => {
      this.committing = undefined;
      if (this.waiting.length) this.kick();
    });
  }

  /**
   * Saves the index of every segment but the newest that changed: once a segment filled,
   * that is one snapshot, then one per late span's block. The newest is saved at close.
   */
  private async snapshotFilled(): Promise<void> {
    for (const s of this.segments.slice(0, -1)) await s.saveSnapshot().catch(() => undefined);
  }

  /** Writes every pending block; settles the writes that were waiting for them. */
  private async commitOnce(): Promise<void> {
    const group = this.waiting;
    this.waiting = [];
    const dirty = this.segments.filter((s) => s.hasPending);
    try {
      await Promise.all(dirty.map((s) => s.commit()));
    } catch (raw) {
      await this.recoverFrom(raw, group, dirty);
      return;
    } finally {
      this.queuedSpans -= group.reduce((n, w) => n + w.spans, 0);
    }
    for (const w of group) w.resolve(w.result);
  }

  /**
   * A commit failed (disk full, I/O error): what it held, and what was accepted
   * while it ran, is refused, and the segments are read back from their files,
   * so the indexes hold exactly what is durable and a retried export is stored again.
   */
  private async recoverFrom(raw: unknown, group: Waiter[], dirty: Segment[]): Promise<void> {
    const later = this.waiting;
    this.waiting = [];
    this.queuedSpans -= later.reduce((n, w) => n + w.spans, 0);
    const message = raw instanceof Error ? raw.message : String(raw);
    const code = (raw as { code?: string } | null)?.code;
    const err = new StoreUnavailableError(`the trace store cannot be written right now (${code ?? 'error'}: ${message})`, code === 'ENOSPC' ? 30 : 5);
    const touched = new Set([...dirty, ...this.segments.filter((s) => s.hasPending)]);
    this.recovering = true;
    // Read back first, swap, then close the old ones: a reader never meets a closed file.
    const before = this.segments;
    this.segments = await Promise.all(
      before.map(async (s) => {
        if (!touched.has(s)) return s;
        this.cache.dropPrefix(`${s.seq}:`);
        return fs.existsSync(s.file) ? Segment.load(this.dir, s.seq, this.cache, this.io, this.limits.maxSpansPerTrace, this.edges) : Segment.fresh(this.dir, s.seq, this.cache, this.io);
      }),
    );
    for (const s of touched) await s.close();
    this.recovering = false;
    for (const w of [...group, ...later]) w.reject(err);
  }

  async getTrace(traceId: string): Promise<StoredSpan[] | undefined> {
    const id = traceId.toLowerCase();
    const hash = traceHashOfHex(id);
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i] as Segment;
      if (seg.holds(id, hash)) return seg.read(id);
    }
    return undefined;
  }

  private views(): SearchSegment[] {
    return this.segments.map((s) => ({ seq: s.seq, index: s.index }));
  }

  search(q: SearchQuery): Promise<SearchResult> {
    return searchSegments(this.views(), q, { countCap: this.countCap, scanTraces: this.limits.searchScanTraces }, (view, o, key, value) =>
      this.holdsOtherValue(view, o, key, value),
    );
  }

  /** Reads the trace: does a span, a resource or a Jaeger tag give `key` a value other than `value`? */
  private async holdsOtherValue(view: SearchSegment, o: number, key: string, value: string): Promise<boolean> {
    const seg = this.segments.find((s) => s.seq === view.seq);
    const traceId = view.index.traceIds[o];
    if (!seg || traceId === undefined) return false;
    const indexed = value.slice(0, INDEXED_VALUE_CHARS);
    for (const s of await seg.read(traceId)) {
      for (const kv of [...s.span.attributes, ...s.resource.attributes]) {
        if (kv.key === key && valueToString(kv.value).slice(0, INDEXED_VALUE_CHARS) !== indexed) return true;
      }
    }
    return false;
  }

  private allOperations(): OperationInfo[] {
    const ops = new Map<string, OperationInfo>();
    for (const s of this.segments) for (const [term, op] of s.index.ops) if (!ops.has(term)) ops.set(term, { service: op.service, name: op.name, kind: op.kind });
    return [...ops.values()].sort(compareOperations);
  }

  async services(): Promise<string[]> {
    return [...new Set(this.allOperations().map((o) => o.service))].slice(0, this.limits.maxServices);
  }

  async operations(service?: string): Promise<OperationInfo[]> {
    const all = this.allOperations();
    if (service === undefined) return all.slice(0, this.limits.maxOperations);
    return all.filter((o) => o.service === service).slice(0, this.limits.maxOperationsPerService);
  }

  /** The newest traces of the window (the search's newest-first walk), each block read once. */
  async recentTraces(sinceNs: bigint, untilNs: bigint, maxTraces: number): Promise<StoredSpan[][]> {
    if (maxTraces <= 0) return [];
    const page = await this.search({ attrs: [], startNs: sinceNs, endNs: untilNs, limit: maxTraces, offset: 0, sort: 'recent' });
    const ids = page.traces.map((t) => t.traceId);
    const hashes = ids.map(traceHashOfHex);
    const found = new Map<string, StoredSpan[]>();
    for (const seg of this.segments) {
      const mine = ids.filter((id, i) => seg.holds(id, hashes[i] as number));
      if (mine.length) for (const [id, spans] of await seg.readMany(mine)) found.set(id, spans);
    }
    return ids.map((id) => found.get(id)).filter((t): t is StoredSpan[] => t !== undefined);
  }

  /** Sums the segments' map counts (map-summary.ts): every span of the window, not a sample of traces. */
  async serviceMap(sinceNs: bigint, untilNs: bigint): Promise<ServiceMap> {
    return mapOfTotals(this.mapTotals(sinceNs, untilNs));
  }

  /** The counts behind `serviceMap`, which stores holding part of the traces each (store/shards) add up. */
  mapTotals(sinceNs: bigint, untilNs: bigint): MapTotals {
    const totals = new MapTotals();
    for (const s of this.segments) s.index.map.addTo(totals, Number(sinceNs), Number(untilNs));
    return totals;
  }

  async status(): Promise<StoreStatus> {
    let spans = 0;
    let traces = 0;
    let bytes = 0;
    let oldest: bigint | undefined;
    for (const s of this.segments) {
      spans += s.index.spans;
      traces += s.index.traceCount;
      bytes += s.diskBytes;
      const min = s.index.minStartNs;
      if (min !== undefined && (oldest === undefined || min < oldest)) oldest = min;
    }
    return { spans, traces, dbBytes: bytes, oldestMs: oldest === undefined ? null : Number(oldest / 1_000_000n) };
  }

  /** Retention drops whole segments: the oldest, once every trace in it started before the cutoff. */
  async deleteOlderThan(cutoffNs: bigint, _batch: number): Promise<number> {
    const oldest = this.segments[0];
    if (!oldest || oldest.index.maxStartNs === undefined || oldest.index.maxStartNs >= cutoffNs) return 0;
    return this.drop(oldest);
  }

  async shrinkTo(maxBytes: number, _batch: number): Promise<number> {
    const total = this.segments.reduce((n, s) => n + s.diskBytes, 0);
    const oldest = this.segments[0];
    if (total <= maxBytes || !oldest || oldest.index.traceCount === 0) return 0;
    return this.drop(oldest);
  }

  /** Deletes a segment's file once its pending writes are committed; new traces then start a new segment. */
  private async drop(seg: Segment): Promise<number> {
    while (this.committing) await this.committing;
    if (this.segments[this.segments.length - 1] === seg) this.segments.push(Segment.fresh(this.dir, seg.seq + 1, this.cache, this.io));
    this.segments = this.segments.filter((s) => s !== seg);
    await seg.close();
    this.cache.dropPrefix(`${seg.seq}:`);
    await fs.promises.rm(snapshotFile(seg.file), { force: true });
    await fs.promises.rm(seg.file, { force: true });
    return seg.index.traceCount;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.committing) await this.committing;
    // A snapshot only spares the next open re-reading the files: failing to save one loses nothing.
    for (const s of this.segments) await s.saveSnapshot().catch(() => undefined);
    await Promise.all(this.segments.map((s) => s.close()));
    this.lock?.release();
  }
}
