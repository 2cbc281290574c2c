/**
 * One segment: its file (segment-log.ts), its in-memory index and its blocks.
 * Spans are indexed as soon as they are accepted, into a block that is
 * written (deflated, appended, fdatasynced) by the next commit; until then a
 * reader gets them from the pending block. Opening a segment rebuilds its
 * index from the file's blocks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { type Resource, type Scope, type StoredSpan, serviceOf } from '../../model.ts';
import { setRawBytes } from '../../receive/raw-bytes.ts';
import { BlockBuilder, type BlockTrace, readBlock } from './block.ts';
import { BlockCache } from './block-cache.ts';
import type { EdgeResolver } from './edge-resolver.ts';
import { SegmentIndex } from './segment-index.ts';
import { readSnapshot, snapshotFile, writeSnapshot } from './segment-snapshot.ts';
import { type RecordRef, SegmentLog } from './segment-log.ts';
import { type SpanFacts, factsOf, traceHashOfHex } from './span-facts.ts';
import { TraceFilter } from './trace-filter.ts';
import { decodeResource, decodeScope, decodeSpan } from './span-protobuf.ts';

const deflate = promisify(zlib.deflateRaw);

/**
 * Where a segment deflates, writes and fdatasyncs: 'pool' on libuv's threads (a store on the
 * explorer's event loop, which must not block), 'inline' on the calling thread (a shard's own
 * thread, store/shards: a hop to the pool and back costs more latency than the work).
 */
export type SegmentIo = 'pool' | 'inline';

const deflateBlock = (b: BlockBuilder, io: SegmentIo): Promise<Buffer> =>
  io === 'inline' ? Promise.resolve(zlib.deflateRawSync(b.encode(), { level: 1 })) : deflate(b.encode(), { level: 1 });
/**
 * Spans per block: a block is sealed (and deflated) once it holds this many. A trace read
 * inflates whole blocks (~100 KB, ~0.1-0.2 ms); each block is one deflate call, 0.1-0.3 ms of
 * the event loop's time: 512 wrote 5-26% more spans per CPU-second than 256 in alternating runs
 * of the write loop (docs/performance.md, section 3).
 */
export const BLOCK_SPANS = 512;

/** 0 for a file that is not there (a segment without a snapshot yet). */
function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export const segmentFile = (dir: string, seq: number) => path.join(dir, `${String(seq).padStart(8, '0')}.seg`);
export const seqOfFile = (name: string): number | undefined => {
  const m = /^(\d{8})\.seg$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

/** Objects decoded from the same bytes are shared, as the receiver shares them between a request's spans. */
class Decoded {
  private readonly resources = new Map<Uint8Array, { resource: Resource; service: string }>();
  private readonly scopes = new Map<Uint8Array, Scope>();

  spans(t: BlockTrace): StoredSpan[] {
    return t.spans.map((b) => {
      let r = this.resources.get(b.resource);
      if (!r) {
        const resource = decodeResource(b.resource);
        setRawBytes(resource, b.resource);
        r = { resource, service: serviceOf(resource) };
        this.resources.set(b.resource, r);
      }
      let scope = this.scopes.get(b.scope);
      if (!scope) {
        scope = decodeScope(b.scope);
        setRawBytes(scope, b.scope);
        this.scopes.set(b.scope, scope);
      }
      const span = decodeSpan(b.span);
      setRawBytes(span, b.span);
      return { span, resource: r.resource, scope, service: r.service };
    });
  }
}

export class Segment {
  /** Written blocks' records; undefined while a block is pending. */
  private readonly refs: Array<RecordRef | undefined> = [];
  /** Blocks accepted but not yet committed, by block number. */
  private readonly pending = new Map<number, BlockBuilder>();
  private open: BlockBuilder | undefined;
  private openNo = -1;
  /**
   * Full blocks already deflating (on libuv's pool): a block is deflated as soon as it fills,
   * while the commit before it still syncs, so a commit mostly waits for its write alone.
   */
  private readonly deflating = new Map<number, Promise<Buffer>>();
  private log: SegmentLog | undefined;
  /** Set once frozen: which trace hashes the segment may hold. */
  private filter: TraceFilter | undefined;
  /** The file's length. */
  bytes = 0;
  /** The file length the snapshot on disk covers; below `bytes`, the snapshot is stale. */
  private snapshotted = 0;
  /** The snapshot file's size: disk the segment takes beside its records, which a size bound counts. */
  private snapshotBytes = 0;

  private constructor(
    readonly seq: number,
    readonly file: string,
    private readonly cache: BlockCache,
    private readonly io: SegmentIo,
    readonly index = new SegmentIndex(),
  ) {}

  static fresh(dir: string, seq: number, cache: BlockCache, io: SegmentIo): Segment {
    return new Segment(seq, segmentFile(dir, seq), cache, io);
  }

  /**
   * Opens the file (a torn last record is cut off: it was never acknowledged) with the index
   * from its snapshot, re-indexing the blocks the snapshot does not cover (all, without one).
   */
  static async load(dir: string, seq: number, cache: BlockCache, io: SegmentIo, maxSpansPerTrace: number, edges: EdgeResolver): Promise<Segment> {
    const file = segmentFile(dir, seq);
    const snap = readSnapshot(snapshotFile(file));
    const seg = new Segment(seq, file, cache, io, snap ? SegmentIndex.fromSnapshot(snap.index) : undefined);
    const covered = snap?.covered ?? 0;
    for (const ref of snap?.refs ?? []) seg.refs.push(ref);
    const { log } = await SegmentLog.open(file, (payload, ref) => {
      if (ref.offset < covered) return;
      const no = seg.refs.push(ref) - 1;
      for (const t of readBlock(zlib.inflateRawSync(payload))) seg.reindex(t, no, maxSpansPerTrace, edges);
    });
    if (snap && log.size < covered) {
      // The file is shorter than its snapshot says (cut by hand, or a torn tail the snapshot saw whole): trust the file.
      await log.close();
      await fs.promises.rm(snapshotFile(file), { force: true });
      return Segment.load(dir, seq, cache, io, maxSpansPerTrace, edges);
    }
    seg.log = log;
    seg.bytes = log.size;
    seg.snapshotted = covered;
    seg.snapshotBytes = fileSize(snapshotFile(file));
    return seg;
  }

  /** Stops taking new traces: the index packs its lists, and a filter answers for its trace ids (trace-filter.ts). */
  freeze(): void {
    this.index.freeze();
    this.filter = TraceFilter.of(this.index.traceIds.map(traceHashOfHex));
  }

  /** Whether the segment holds the trace; `hash` is its traceHash (span-facts.ts). */
  holds(traceId: string, hash: number): boolean {
    return (this.filter?.mayHold(hash) ?? true) && this.index.ordinalOf(traceId) !== undefined;
  }

  /** Saves the index when the file grew since the last snapshot and nothing is pending. */
  async saveSnapshot(): Promise<void> {
    if (this.pending.size || !this.log || this.snapshotted === this.bytes) return;
    const covered = this.bytes;
    this.snapshotBytes = await writeSnapshot(snapshotFile(this.file), { covered, refs: this.refs as RecordRef[], index: this.index.snapshot() });
    this.snapshotted = covered;
  }

  /** The segment's file and its index snapshot together. */
  get diskBytes(): number {
    return this.bytes + this.snapshotBytes;
  }

  private reindex(t: BlockTrace, no: number, maxSpansPerTrace: number, edges: EdgeResolver): void {
    const spans = new Decoded().spans(t).map(factsOf);
    const o = this.index.ordinalOf(t.traceId);
    const room = maxSpansPerTrace - (o === undefined ? 0 : (this.index.spanCount[o] as number));
    const { fresh } = this.index.newSpans(o, spans, room);
    if (!fresh.length) return;
    this.index.add(t.traceId, fresh, no);
    edges.observe(fresh, this.index.map);
  }

  /** Indexes spans the trace does not hold yet (up to the per-trace cap) into the pending block; returns how many the cap refused. */
  accept(traceId: string, spans: SpanFacts[], maxSpansPerTrace: number, edges: EdgeResolver): number {
    const o = this.index.ordinalOf(traceId);
    const room = maxSpansPerTrace - (o === undefined ? 0 : (this.index.spanCount[o] as number));
    const { fresh, refused } = this.index.newSpans(o, spans, Math.max(0, room));
    if (!fresh.length) return refused;
    // The store only sends a frozen segment spans of traces it holds; should that change, the filter must still say yes.
    if (o === undefined) this.filter?.add((fresh[0] as SpanFacts).traceHash);
    if (!this.open || this.open.spanCount >= BLOCK_SPANS) {
      this.open = new BlockBuilder();
      this.openNo = this.refs.push(undefined) - 1;
      this.pending.set(this.openNo, this.open);
    }
    for (const s of fresh) this.open.add(traceId, { span: s.bytes, resource: s.resource.bytes, scope: s.scope });
    this.index.add(traceId, fresh, this.openNo);
    edges.observe(fresh, this.index.map);
    if (this.open.spanCount >= BLOCK_SPANS) {
      const done = deflateBlock(this.open, this.io);
      // Awaited by the commit; a failure is that commit's to report, not an unhandled rejection meanwhile.
      done.catch(() => undefined);
      this.deflating.set(this.openNo, done);
      this.open = undefined;
    }
    return refused;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Writes every pending block in one append + fdatasync. */
  async commit(): Promise<void> {
    if (!this.pending.size) return;
    const taken = [...this.pending];
    this.open = undefined;
    const payloads = await Promise.all(taken.map(([no, b]) => this.deflating.get(no) ?? deflateBlock(b, this.io)));
    for (const [no] of taken) this.deflating.delete(no);
    this.log ??= await SegmentLog.create(this.file);
    const refs = this.io === 'inline' ? this.log.appendSync(payloads) : await this.log.append(payloads);
    taken.forEach(([no], i) => {
      this.refs[no] = refs[i];
      this.pending.delete(no);
    });
    this.bytes = this.log.size;
  }

  /** The trace's spans, in the order they were stored. */
  async read(traceId: string): Promise<StoredSpan[]> {
    const o = this.index.ordinalOf(traceId);
    if (o === undefined) return [];
    const out: StoredSpan[] = [];
    const decoded = new Decoded();
    for (const no of Array.from(this.index.blocksOf(o))) {
      for (const t of readBlock(await this.block(no), traceId)) out.push(...decoded.spans(t));
    }
    return out;
  }

  /** Several traces' spans, each block read once (the service map reads thousands of recent traces). */
  async readMany(traceIds: readonly string[]): Promise<Map<string, StoredSpan[]>> {
    const want = new Set<string>();
    const blocks = new Set<number>();
    for (const id of traceIds) {
      const o = this.index.ordinalOf(id);
      if (o === undefined) continue;
      want.add(id);
      for (const no of Array.from(this.index.blocksOf(o))) blocks.add(no);
    }
    const out = new Map<string, StoredSpan[]>();
    const decoded = new Decoded();
    for (const no of [...blocks].sort((a, b) => a - b)) {
      for (const t of readBlock(await this.block(no))) {
        if (!want.has(t.traceId)) continue;
        const list = out.get(t.traceId);
        if (list) list.push(...decoded.spans(t));
        else out.set(t.traceId, decoded.spans(t));
      }
    }
    return out;
  }

  private async block(no: number): Promise<Uint8Array> {
    const pending = this.pending.get(no);
    if (pending) return pending.encode();
    const ref = this.refs[no];
    if (!ref || !this.log) throw new Error(`block ${no} of segment ${this.seq} is not written`);
    const key = `${this.seq}:${no}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    // A block is ~10 KB deflated: inflated here in ~50 µs, where a trip through libuv's pool
    // took up to 30 ms at the p99 in the query bench (waking an idle vCPU, segment-log.ts read).
    const data = zlib.inflateRawSync(this.log.read(ref));
    this.cache.put(key, data);
    return data;
  }

  async close(): Promise<void> {
    await this.log?.close();
    this.log = undefined;
  }
}
