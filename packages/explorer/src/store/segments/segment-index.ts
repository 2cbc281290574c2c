/**
 * What a segment knows about its traces, held in memory so a write touches no
 * on-disk index at all (the random B-tree inserts that capped the SQLite
 * store): per trace its summary (the same fields as the SQLite `traces` row)
 * and the blocks holding its spans; per search term the traces that have it.
 *
 Posting lists: per operation (`opTerm`), per attribute key, and per key and
 * value (span or resource attributes, and the Jaeger-visible tags). A list
 * gets a trace once per write; it is sorted and de-duplicated when first read
 * after a change (a late span of an older trace), not on the write path.
 */
import { MapSummary, type MapSummarySnapshot } from './map-summary.ts';
import { INDEXED_VALUE_CHARS } from '../schema.ts';
import type { OperationInfo, TraceSummary } from '../store.ts';
import { Ragged, type RaggedSnapshot } from './ragged.ts';
import type { SpanFacts } from './span-facts.ts';

const SEP = '\u0000';
const KIND_TAG = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export const opTerm = (service: string, name: string, kind: number) => `k${SEP}${service}${SEP}${name}${SEP}${kind}`;
const NONE: ArrayLike<number> = Object.freeze([]) as ArrayLike<number>;
/** A new trace's services, before its first spans are counted (never added to: mixOf makes a new map). */
const NO_SERVICES: ReadonlyMap<string, number> = new Map();
/** Service mixes a growing segment interns at most. */
const MAX_MIXES = 4096;
const EMPTY_KEYS = NONE;

function indexOf(list: ArrayLike<number>, v: number): number {
  for (let i = 0; i < list.length; i++) if (list[i] === v) return i;
  return -1;
}

export class Posting {
  /** A plain array while it grows; a long one becomes an Int32Array (half the memory) once its segment stopped taking new traces. */
  list: number[] | Int32Array = [];
  sorted = true;
  last = -1;

  add(o: number): void {
    if (this.last === o) return;
    // A late span of a frozen segment's trace: back to an array (rare, so the copy does not matter).
    if (this.list instanceof Int32Array) this.list = Array.from(this.list);
    if (o < this.last) this.sorted = false;
    this.last = o;
    this.list.push(o);
  }

  read(): ArrayLike<number> {
    const list = this.list;
    if (!this.sorted && Array.isArray(list)) {
      list.sort((a, b) => a - b);
      let w = 0;
      for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[w - 1]) list[w++] = list[i] as number;
      list.length = w;
      this.sorted = true;
    }
    return list;
  }

  freeze(): void {
    // A typed array costs ~200 bytes of objects of its own: worth it only for long lists.
    if (Array.isArray(this.list) && this.list.length >= 32) this.list = Int32Array.from(this.read());
    else this.read();
  }

  /**
   * The list as gaps between ascending ordinals, for a snapshot: mostly 1s, which deflate packs
   * to almost nothing and in a few ms. The ordinals themselves (v8.serialize writes each as a
   * varint) cost 18 of a snapshot's 20 bytes a span and 90% of its deflate time (~0.8 µs a span
   * of libuv's pool at every segment fill; docs/performance.md, section 3, seventh pass).
   */
  toSnapshot(): PostingSnapshot {
    const list = this.read();
    const gaps = new Int32Array(list.length);
    let prev = 0;
    for (let i = 0; i < list.length; i++) {
      const o = list[i] as number;
      gaps[i] = o - prev;
      prev = o;
    }
    return { gaps };
  }

  /** From a snapshot: this format's gaps, or the list itself as snapshots before it held (format 04). */
  static fromSnapshot(s: PostingSnapshot | LegacyPosting): Posting {
    const p = new Posting();
    if ('list' in s) {
      p.list = s.list;
      p.sorted = s.sorted;
      p.last = s.last;
      return p;
    }
    const n = s.gaps.length;
    const list = n >= 32 ? new Int32Array(n) : new Array<number>(n);
    let o = 0;
    for (let i = 0; i < n; i++) {
      o += s.gaps[i] as number;
      list[i] = o;
    }
    p.list = list;
    p.last = n ? o : -1;
    return p;
  }
}

/** A posting list as a snapshot holds it (Posting.toSnapshot). */
export interface PostingSnapshot {
  gaps: Int32Array;
}

/** A Posting as v8.serialize wrote it into snapshots of format 04: its fields, without its class. */
interface LegacyPosting {
  list: number[] | Int32Array;
  sorted: boolean;
  last: number;
}

interface AttrPostingsSnapshot {
  holders: PostingSnapshot | LegacyPosting;
  byValue: Map<string, PostingSnapshot | LegacyPosting | number>;
}

/**
 * Per attribute key: the traces holding it, and per distinct (indexed) value the traces holding
 * that. A value held by one trace only (ids, order numbers: most values) is that trace's ordinal
 * alone, not a list: a Posting and its array are ~100 bytes of heap the collector walks.
 */
interface AttrPostings {
  holders: Posting;
  byValue: Map<string, Posting | number>;
}

/** An operation as the catalog lists it, with when it was last seen. */
export interface SegmentOperation extends OperationInfo {
  lastSeenNs: bigint;
}

/**
 * 53 of a span id's 64 bits as a number (all of the low 32, so counters differ too): enough to tell
 * one trace's spans apart (a clash needs ~10^7 random spans in one trace).
 */
export const spanKey = (spanId: string) => (Number.parseInt(spanId.slice(0, 8), 16) % 0x200000) * 0x100000000 + Number.parseInt(spanId.slice(8), 16);

function grow<T extends BigInt64Array | Float64Array | Uint32Array | Uint8Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const next = make(Math.max(need, a.length * 2));
  next.set(a as never);
  return next;
}

export interface IndexSnapshot {
  traceIds: string[];
  start: BigInt64Array;
  end: BigInt64Array;
  spanCount: Uint32Array;
  errorCount: Uint32Array;
  rootKnown: Uint8Array;
  rootName: string[];
  rootService: string[];
  services: Array<ReadonlyMap<string, number>>;
  spanKeys: RaggedSnapshot;
  blocks: RaggedSnapshot;
  opPostings: Map<string, PostingSnapshot | LegacyPosting>;
  attrs: Map<string, AttrPostingsSnapshot>;
  ops: Map<string, SegmentOperation>;
  spans: number;
  minStartNs: bigint | undefined;
  maxStartNs: bigint | undefined;
  map: MapSummarySnapshot;
}

export class SegmentIndex {
  readonly ids = new Map<string, number>();
  readonly traceIds: string[] = [];
  start = new BigInt64Array(256);
  end = new BigInt64Array(256);
  /** Start as a double (ms precision is plenty) for sorting without BigInt compares. */
  startMs = new Float64Array(256);
  spanCount = new Uint32Array(256);
  errorCount = new Uint32Array(256);
  rootKnown = new Uint8Array(256);
  readonly rootName: string[] = [];
  readonly rootService: string[] = [];
  /** Per trace, its services and their span counts: shared by the traces of one mix (mixOf), never changed in place. */
  readonly services: Array<ReadonlyMap<string, number>> = [];
  /** The growing segment's mixes by key (mixOf); emptied at freeze. */
  private readonly mixes = new Map<string, Map<string, number>>();
  /** Scratch for add's span keys. */
  private readonly keyScratch: number[] = [];
  /** Scratch for mergeSummary's counts. */
  private readonly counting = new Map<string, number>();
  private spanKeys = new Ragged();
  /** Per trace, the segment's block numbers holding its spans, ascending. */
  private blockLists = new Ragged();
  private readonly opPostings = new Map<string, Posting>();
  /** Per attribute key: the traces holding it, and per distinct (indexed) value the traces holding that. */
  private readonly attrs = new Map<string, AttrPostings>();
  readonly ops = new Map<string, SegmentOperation>();
  /** The segment's share of the service map (counted by the store's EdgeResolver). */
  map = new MapSummary();
  spans = 0;
  minStartNs: bigint | undefined;
  maxStartNs: bigint | undefined;
  /** Bumped by every write: cached orderings compare it. */
  version = 0;

  /** Everything the index holds, for a snapshot file (v8.serialize keeps Maps, typed arrays and BigInts). */
  snapshot(): IndexSnapshot {
    const n = this.traceCount;
    return {
      traceIds: this.traceIds,
      start: this.start.slice(0, n),
      end: this.end.slice(0, n),
      spanCount: this.spanCount.slice(0, n),
      errorCount: this.errorCount.slice(0, n),
      rootKnown: this.rootKnown.slice(0, n),
      rootName: this.rootName,
      rootService: this.rootService,
      services: this.services,
      spanKeys: this.spanKeys.snapshot(n),
      blocks: this.blockLists.snapshot(n),
      opPostings: new Map([...this.opPostings].map(([k, p]) => [k, p.toSnapshot()])),
      attrs: new Map(
        [...this.attrs].map(([k, a]) => [
          k,
          { holders: a.holders.toSnapshot(), byValue: new Map([...a.byValue].map(([v, p]) => [v, typeof p === 'number' ? p : p.toSnapshot()])) },
        ]),
      ),
      ops: this.ops,
      spans: this.spans,
      minStartNs: this.minStartNs,
      maxStartNs: this.maxStartNs,
      map: this.map.snapshot(),
    };
  }

  static fromSnapshot(snap: IndexSnapshot): SegmentIndex {
    const idx = new SegmentIndex();
    const n = snap.traceIds.length;
    snap.traceIds.forEach((id, o) => idx.ids.set(id, o));
    for (const v of snap.traceIds) idx.traceIds.push(v);
    idx.start = new BigInt64Array(snap.start);
    idx.end = new BigInt64Array(snap.end);
    idx.spanCount = new Uint32Array(snap.spanCount);
    idx.errorCount = new Uint32Array(snap.errorCount);
    idx.rootKnown = new Uint8Array(snap.rootKnown);
    idx.startMs = new Float64Array(Math.max(n, 1));
    for (let o = 0; o < n; o++) idx.startMs[o] = Number((snap.start[o] as bigint) / 1000n) / 1000;
    for (const v of snap.rootName) idx.rootName.push(v);
    for (const v of snap.rootService) idx.rootService.push(v);
    for (const v of snap.services) idx.services.push(v);
    idx.spanKeys = Ragged.from(snap.spanKeys);
    idx.blockLists = Ragged.from(snap.blocks);
    for (const [k, p] of snap.opPostings) idx.opPostings.set(k, Posting.fromSnapshot(p));
    for (const [k, a] of snap.attrs) {
      const byValue = new Map<string, Posting | number>();
      for (const [v, p] of a.byValue) byValue.set(v, typeof p === 'number' ? p : Posting.fromSnapshot(p));
      idx.attrs.set(k, { holders: Posting.fromSnapshot(a.holders), byValue });
    }
    for (const [k, op] of snap.ops) idx.ops.set(k, op);
    idx.spans = snap.spans;
    idx.minStartNs = snap.minStartNs;
    idx.maxStartNs = snap.maxStartNs;
    idx.map = new MapSummary(snap.map);
    return idx;
  }

  get traceCount(): number {
    return this.traceIds.length;
  }

  ordinalOf(traceId: string): number | undefined {
    return this.ids.get(traceId);
  }

  /** Spans of `spans` the trace does not hold yet (first copy wins, also within `spans`), at most `room` of them. */
  newSpans(o: number | undefined, spans: readonly SpanFacts[], room: number): { fresh: SpanFacts[]; refused: number } {
    const held = o === undefined ? EMPTY_KEYS : this.spanKeys.get(o);
    // Traces are small: a linear look through a few ids beats building sets on every write.
    const small = held.length + spans.length <= 64;
    const heldSet = small ? undefined : new Set(Array.from(held));
    const seen = small ? undefined : new Set<number>();
    const seenSmall: number[] = [];
    const fresh: SpanFacts[] = [];
    let refused = 0;
    for (const s of spans) {
      const k = s.spanKey;
      if (small ? indexOf(held, k) >= 0 || indexOf(seenSmall, k) >= 0 : seen?.has(k) || heldSet?.has(k)) continue;
      if (small) seenSmall.push(k);
      else seen?.add(k);
      if (fresh.length >= room) refused++;
      else fresh.push(s);
    }
    return { fresh, refused };
  }

  /** Adds spans the trace does not hold yet (see newSpans), stored in `block`. Returns the trace's ordinal. */
  add(traceId: string, spans: readonly SpanFacts[], block: number): number {
    let o = this.ids.get(traceId);
    if (o === undefined) o = this.newTrace(traceId);
    this.version++;
    this.spans += spans.length;
    if (this.blockLists.last(o) !== block) this.blockLists.push(o, [block]);
    const keys = this.keyScratch;
    keys.length = spans.length;
    for (let i = 0; i < spans.length; i++) keys[i] = (spans[i] as SpanFacts).spanKey;
    this.spanKeys.push(o, keys);
    this.mergeSummary(o, spans);
    this.addTerms(o, spans);
    return o;
  }

  private newTrace(traceId: string): number {
    const o = this.traceIds.length;
    const n = o + 1;
    this.start = grow(this.start, n, (k) => new BigInt64Array(k));
    this.end = grow(this.end, n, (k) => new BigInt64Array(k));
    this.startMs = grow(this.startMs, n, (k) => new Float64Array(k));
    this.spanCount = grow(this.spanCount, n, (k) => new Uint32Array(k));
    this.errorCount = grow(this.errorCount, n, (k) => new Uint32Array(k));
    this.rootKnown = grow(this.rootKnown, n, (k) => new Uint8Array(k));
    this.ids.set(traceId, o);
    this.traceIds.push(traceId);
    this.rootName.push('');
    this.rootService.push('');
    this.services.push(NO_SERVICES);
    return o;
  }

  /** The same merge as the SQLite store's summary row (trace-summary.ts): the parentless span once one arrived, else the earliest. */
  private mergeSummary(o: number, spans: readonly SpanFacts[]): void {
    const fresh = this.spanCount[o] === 0;
    let start = fresh ? undefined : (this.start[o] as bigint);
    let end = fresh ? undefined : (this.end[o] as bigint);
    let rootKnown = this.rootKnown[o] === 1;
    // Traces share their services map with others of the same mix: counted aside, then interned.
    const services = this.counting;
    services.clear();
    for (const [name, n] of this.services[o] as ReadonlyMap<string, number>) services.set(name, n);
    for (const s of spans) {
      const sStart = s.startNs;
      if ((s.root && !rootKnown) || (!rootKnown && (start === undefined || sStart < start))) {
        this.rootService[o] = s.resource.service;
        this.rootName[o] = s.name;
        rootKnown = s.root;
      }
      if (start === undefined || sStart < start) start = sStart;
      if (end === undefined || s.endNs > end) end = s.endNs;
      if (s.statusCode === 2) (this.errorCount[o] as number)++;
      services.set(s.resource.service, (services.get(s.resource.service) ?? 0) + 1);
    }
    this.services[o] = this.mixOf(services);
    const startNs = start ?? 0n;
    this.start[o] = startNs;
    this.end[o] = end !== undefined && end > startNs ? end : startNs;
    this.startMs[o] = Number(startNs / 1000n) / 1000;
    this.rootKnown[o] = rootKnown ? 1 : 0;
    this.spanCount[o] = (this.spanCount[o] as number) + spans.length;
    if (this.minStartNs === undefined || startNs < this.minStartNs) this.minStartNs = startNs;
    if (this.maxStartNs === undefined || startNs > this.maxStartNs) this.maxStartNs = startNs;
  }

  /** A posting skips a trace it just got (Posting.add), so repeats within one write cost a compare, not a set. */
  private addTerms(o: number, spans: readonly SpanFacts[]): void {
    let lastResource: object | undefined;
    for (const s of spans) {
      const op = opTerm(s.resource.service, s.name, s.kind);
      let p = this.opPostings.get(op);
      if (!p) {
        p = new Posting();
        this.opPostings.set(op, p);
      }
      if (p.last !== o) {
        p.add(o);
        this.seeOperation(op, s);
      }
      const pairs = s.pairs;
      for (let i = 0; i + 1 < pairs.length; i += 2) this.pair(o, pairs[i] as string, pairs[i + 1] as string);
      this.pair(o, 'span.kind', KIND_TAG[s.kind] ?? 'unspecified');
      if (s.statusCode === 2) (this.pair(o, 'otel.status_code', 'ERROR'), this.pair(o, 'error', 'true'));
      else if (s.statusCode === 1) this.pair(o, 'otel.status_code', 'OK');
      // Spans of one export share their resource object: its attributes are indexed once per run of it.
      if (s.resource !== lastResource) {
        lastResource = s.resource;
        const rp = s.resource.pairs;
        for (let i = 0; i + 1 < rp.length; i += 2) this.pair(o, rp[i] as string, rp[i + 1] as string);
      }
    }
  }

  private pair(o: number, key: string, value: string): void {
    let values = this.attrs.get(key);
    if (!values) {
      values = { holders: new Posting(), byValue: new Map() };
      this.attrs.set(key, values);
    }
    values.holders.add(o);
    const v = value.length > INDEXED_VALUE_CHARS ? value.slice(0, INDEXED_VALUE_CHARS) : value;
    const p = values.byValue.get(v);
    if (p === undefined) values.byValue.set(v, o);
    else if (typeof p === 'object') p.add(o);
    else if (p !== o) {
      const list = new Posting();
      list.add(p);
      list.add(o);
      values.byValue.set(v, list);
    }
  }

  private seeOperation(term: string, s: SpanFacts): void {
    const at = s.startNs;
    const known = this.ops.get(term);
    if (!known) this.ops.set(term, { service: s.resource.service, name: s.name, kind: s.kind, lastSeenNs: at });
    else if (at > known.lastSeenNs) known.lastSeenNs = at;
  }

  /** Traces with the operation (an `opTerm`), ascending, no repeats. */
  opPosting(term: string): ArrayLike<number> {
    return this.opPostings.get(term)?.read() ?? NONE;
  }

  /** Traces holding the attribute pair (value cut to the indexed length). */
  pairPosting(key: string, value: string): ArrayLike<number> {
    const p = this.attrs.get(key)?.byValue.get(value.slice(0, INDEXED_VALUE_CHARS));
    return p === undefined ? NONE : typeof p === 'number' ? [p] : p.read();
  }

  /**
   * The one map of this mix of services and span counts. Most traces have one of a few mixes,
   * and a map per trace was ~150 bytes the collector copied out of the young generation and
   * walked until the segment froze (docs/performance.md, section 3, seventh pass).
   */
  private mixOf(counts: Map<string, number>): Map<string, number> {
    const names = counts.size === 1 ? [counts.keys().next().value as string] : [...counts.keys()].sort();
    let key = '';
    for (const name of names) key += `${name}${SEP}${counts.get(name)}${SEP}`;
    const known = this.mixes.get(key);
    if (known) return known;
    const mix = new Map<string, number>();
    for (const name of names) mix.set(name, counts.get(name) as number);
    // Beyond the cap (service names or counts that rarely repeat) a trace gets a map of its own.
    if (this.mixes.size < MAX_MIXES) this.mixes.set(key, mix);
    return mix;
  }

  /** Traces holding the key with any value. */
  keyPosting(key: string): ArrayLike<number> {
    return this.attrs.get(key)?.holders.read() ?? NONE;
  }

  /** The key's distinct indexed values. */
  valuesOf(key: string): Iterable<string> {
    return this.attrs.get(key)?.byValue.keys() ?? [];
  }

  valueCount(key: string): number {
    return this.attrs.get(key)?.byValue.size ?? 0;
  }

  /** The segment stopped taking new traces: its posting lists shrink to typed arrays. */
  /** The segment's block numbers holding the trace's spans, ascending. */
  blocksOf(o: number): ArrayLike<number> {
    return this.blockLists.get(o);
  }

  freeze(): void {
    this.spanKeys.freeze(this.traceCount);
    this.blockLists.freeze(this.traceCount);
    this.mixes.clear();
    for (const p of this.opPostings.values()) p.freeze();
    for (const a of this.attrs.values()) {
      a.holders.freeze();
      for (const p of a.byValue.values()) if (typeof p === 'object') p.freeze();
    }
  }

  durationNs(o: number): bigint {
    return (this.end[o] as bigint) - (this.start[o] as bigint);
  }

  summary(o: number): TraceSummary {
    const services = [...(this.services[o] as ReadonlyMap<string, number>)]
      .map(([name, spanCount]) => ({ name, spanCount }))
      .sort((a, b) => b.spanCount - a.spanCount || a.name.localeCompare(b.name));
    return {
      traceId: this.traceIds[o] as string,
      rootService: this.rootService[o] as string,
      rootName: this.rootName[o] as string,
      rootKnown: this.rootKnown[o] === 1,
      startNs: this.start[o] as bigint,
      durationNs: this.durationNs(o),
      spanCount: this.spanCount[o] as number,
      errorCount: this.errorCount[o] as number,
      services,
    };
  }
}
