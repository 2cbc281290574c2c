/**
 * Service-map edges found as spans arrive. An edge joins a span to its parent
 * (or a batch consumer to a producer it links) in another service; the two
 * nearly always come in different exports, the child first (it ends first).
 * So every span is remembered by its ids for a while, and a span whose parent
 * has not come yet waits for it; when the second of the pair arrives, the edge
 * is counted in the map summary (map-summary.ts) of the segment taking it.
 *
 * Memory is fixed: two open-addressing tables of typed arrays, each in two
 * generations; when the newer fills to half its slots the older is cleared
 * and reused. A pair whose halves arrive further apart than that (by default
 * 256k-512k spans: minutes at ordinary rates, 2.5-5 s at 100k spans/s) is not counted, nor is one whose
 * halves straddle a restart. Keys are a seeded hash of the trace id and the
 * span id folded to 32 bits (span-facts.ts): a wrong pair needs both to clash.
 * A slot chain is followed for MAX_PROBE slots at most, so ids sent to pile
 * into one chain cost a bounded look each, and only their own pairs.
 */
import type { EdgeKind } from '../../api-types.ts';
import { bucketOf, edgeKey, type MapSummary } from './map-summary.ts';
import { type SpanFacts, spanWord } from './span-facts.ts';

// A span's facts in one 31-bit number: what an edge's kind, system and error count need.
const SERVICE_MASK = 0xfff;
const KIND_SHIFT = 12;
const ERROR = 1 << 15;
const MESSAGING = 1 << 16;
const RPC = 1 << 17;
const HTTP = 1 << 18;
const SYSTEM_SHIFT = 19;
const SYSTEM_MASK = 0xff;
/** On a waiting consumer: it waits for a linked producer, not for its parent. */
const LINK = 1 << 27;
/** Set in every live value, so 0 means an empty slot. */
const LIVE = 1 << 30;
/** A waiting entry that was taken: still occupies its slot (probes pass over it), never matches. */
const TAKEN = 1;
/** Slots looked at per insert or lookup at most (at half load a chain averages 1.5). */
const MAX_PROBE = 32;
/** Entries one take can return: a run in each generation. */
export const TAKE_MAX = 2 * (MAX_PROBE + 1);

const KINDS: readonly EdgeKind[] = ['rpc', 'http', 'messaging', 'other'];
const PRODUCER = 4;
const CONSUMER = 5;
const MAX_SERVICES = SERVICE_MASK;
const MAX_SYSTEMS = SYSTEM_MASK;
/** Edge key strings remembered at most. */
const MAX_KEYS = 65_536;

/** One generation of a table: linear probing over 2^bits slots, filled to half at most. */
class Generation {
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  readonly v: Uint32Array;
  readonly x: Uint32Array | undefined;
  used = 0;

  constructor(
    readonly bits: number,
    withExtra: boolean,
  ) {
    const n = 1 << bits;
    this.a = new Uint32Array(n);
    this.b = new Uint32Array(n);
    this.v = new Uint32Array(n);
    this.x = withExtra ? new Uint32Array(n) : undefined;
  }

  slot(a: number, b: number): number {
    return Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) >>> (32 - this.bits);
  }

  clear(): void {
    this.a.fill(0);
    this.b.fill(0);
    this.v.fill(0);
    this.x?.fill(0);
    this.used = 0;
  }
}

/** A table of (trace hash, span word) -> value (+ extra), newest generation first. */
export class PairTable {
  private cur: Generation;
  private old: Generation;
  private readonly limit: number;

  constructor(bits: number, withExtra: boolean) {
    this.cur = new Generation(bits, withExtra);
    this.old = new Generation(bits, withExtra);
    this.limit = (1 << bits) >>> 1;
  }

  private room(): Generation {
    if (this.cur.used >= this.limit) {
      const g = this.old;
      g.clear();
      this.old = this.cur;
      this.cur = g;
    }
    return this.cur;
  }

  clear(): void {
    this.cur.clear();
    this.old.clear();
  }

  /** Adds the entry (keys may repeat). */
  add(a: number, b: number, v: number, x = 0): void {
    const g = this.room();
    const mask = (1 << g.bits) - 1;
    let i = g.slot(a, b);
    for (let probes = 0; g.v[i] !== 0; probes++) {
      if (probes === MAX_PROBE) return;
      i = (i + 1) & mask;
    }
    g.a[i] = a;
    g.b[i] = b;
    g.v[i] = v;
    if (g.x) g.x[i] = x;
    g.used++;
  }

  /** The newest live value under the keys, or 0. */
  get(a: number, b: number): number {
    return find(this.cur, a, b) || find(this.old, a, b);
  }

  /**
   * Removes every live entry under the keys, writing values and extras to the arrays (room
   * for TAKE_MAX) from index 0; returns how many.
   */
  take(a: number, b: number, values: Uint32Array, extras: Uint32Array): number {
    return takeFrom(this.old, a, b, values, extras, takeFrom(this.cur, a, b, values, extras, 0));
  }
}

function find(g: Generation, a: number, b: number): number {
  const mask = (1 << g.bits) - 1;
  for (let i = g.slot(a, b), probes = 0; g.v[i] !== 0 && probes <= MAX_PROBE; i = (i + 1) & mask, probes++) {
    if (g.a[i] === a && g.b[i] === b && g.v[i] !== TAKEN) return g.v[i] as number;
  }
  return 0;
}

function takeFrom(g: Generation, a: number, b: number, values: Uint32Array, extras: Uint32Array, n: number): number {
  const mask = (1 << g.bits) - 1;
  for (let i = g.slot(a, b), probes = 0; g.v[i] !== 0 && probes <= MAX_PROBE; i = (i + 1) & mask, probes++) {
    if (g.a[i] !== a || g.b[i] !== b || g.v[i] === TAKEN) continue;
    values[n] = g.v[i] as number;
    extras[n] = g.x ? (g.x[i] as number) : 0;
    n++;
    g.v[i] = TAKEN;
  }
  return n;
}

function edgeKind(from: number, to: number): EdgeKind {
  const flags = from | to;
  if (((from >>> KIND_SHIFT) & 7) === PRODUCER || ((to >>> KIND_SHIFT) & 7) === CONSUMER || flags & MESSAGING) return 'messaging';
  if (flags & RPC) return 'rpc';
  if (flags & HTTP) return 'http';
  return 'other';
}

export interface EdgeResolverOptions {
  /** log2 of the slots per generation of the table of spans seen; default 19 (12 MiB). */
  seenBits?: number;
  /** log2 of the slots per generation of the table of spans waiting for a parent; default 19 (16 MiB). */
  waitingBits?: number;
}

export class EdgeResolver {
  private readonly seen: PairTable;
  private readonly waiting: PairTable;
  private readonly serviceIds = new Map<string, number>();
  private readonly serviceNames: string[] = [''];
  private readonly systemIds = new Map<string, number>();
  private readonly systemNames: string[] = [''];
  /** Edge keys by (from, to, kind, system) code: a key string is built once per distinct edge. */
  private readonly keys = new Map<number, string>();
  // Scratch, reused by every call.
  private packed = new Uint32Array(256);
  private buckets = new Float64Array(256);
  private readonly takenValues = new Uint32Array(TAKE_MAX);
  private readonly takenBuckets = new Uint32Array(TAKE_MAX);
  private lastResource: object | undefined;
  private lastServiceId = 0;
  /** Bumped by reset: packed values of an earlier epoch name other services. */
  private epoch = 0;

  constructor(opts: EdgeResolverOptions = {}) {
    this.seen = new PairTable(opts.seenBits ?? 19, false);
    this.waiting = new PairTable(opts.waitingBits ?? 19, true);
  }

  /**
   * Counts the spans (new to the store: de-duplicated before) in `summary`, and the edges they
   * close: to children already waiting for them, and to parents already seen. The spans are
   * remembered first, so pairs within one call never wait.
   */
  observe(spans: readonly SpanFacts[], summary: MapSummary): void {
    if (this.packed.length < spans.length) {
      this.packed = new Uint32Array(spans.length * 2);
      this.buckets = new Float64Array(spans.length * 2);
    }
    const packed = this.packed;
    const buckets = this.buckets;
    const values = this.takenValues;
    const waited = this.takenBuckets;
    const epoch = this.epoch;
    for (let j = 0; j < spans.length; j++) packed[j] = this.pack(spans[j] as SpanFacts, true);
    // A dictionary restarted part way: every span of the call is packed again in the new one.
    if (this.epoch !== epoch) for (let j = 0; j < spans.length; j++) packed[j] = this.pack(spans[j] as SpanFacts, false);
    for (let j = 0; j < spans.length; j++) {
      const s = spans[j] as SpanFacts;
      const no = bucketOf(s.startNs);
      buckets[j] = no;
      summary.span(no, s.resource.service, s.statusCode === 2);
      const v = packed[j] as number;
      if (v === 0) continue;
      const word = spanWord(s.spanKey);
      this.seen.add(s.traceHash, word, v);
      const n = this.waiting.take(s.traceHash, word, values, waited);
      for (let i = 0; i < n; i++) this.close(v, values[i] as number, waited[i] as number, summary);
    }
    for (let j = 0; j < spans.length; j++) {
      const v = packed[j] as number;
      if (v === 0) continue;
      const s = spans[j] as SpanFacts;
      const no = buckets[j] as number;
      if (!s.root) this.pair(s.traceHash, s.parentWord, v, no, summary);
      if (((v >>> KIND_SHIFT) & 7) === CONSUMER) {
        const links = s.links;
        for (let i = 0; i + 1 < links.length; i += 2) {
          const t = links[i] as number;
          const p = links[i + 1] as number;
          // A consumer linking the producer that is also its parent is one edge.
          if (!s.root && t === s.traceHash && p === s.parentWord) continue;
          this.pair(t, p, v | LINK, no, summary);
        }
      }
    }
  }

  /** The parent (or producer) is known: count the edge; else wait for it. */
  private pair(trace: number, span: number, child: number, no: number, summary: MapSummary): void {
    const parent = this.seen.get(trace, span);
    if (parent) this.close(parent, child, no, summary);
    else this.waiting.add(trace, span, child, no);
  }

  private close(parent: number, child: number, no: number, summary: MapSummary): void {
    // A link counts only from a producer span, as buildServiceMap does.
    if (child & LINK && ((parent >>> KIND_SHIFT) & 7) !== PRODUCER) return;
    const from = parent & SERVICE_MASK;
    const to = child & SERVICE_MASK;
    if (from === to) return;
    const kind = edgeKind(parent, child);
    const system = kind === 'messaging' ? (parent >>> SYSTEM_SHIFT) & SYSTEM_MASK || (child >>> SYSTEM_SHIFT) & SYSTEM_MASK : 0;
    const code = ((from * (SERVICE_MASK + 1) + to) * 4 + KINDS.indexOf(kind)) * (SYSTEM_MASK + 1) + system;
    let key = this.keys.get(code);
    if (key === undefined) {
      // A memo, not a record: senders choosing service names could otherwise grow it without end.
      if (this.keys.size >= MAX_KEYS) this.keys.clear();
      key = edgeKey({ from: this.serviceNames[from] as string, to: this.serviceNames[to] as string, kind, ...(system ? { system: this.systemNames[system] as string } : {}) });
      this.keys.set(code, key);
    }
    summary.edge(no, key, ((parent | child) & ERROR) !== 0);
  }

  /**
   * Starts over when a dictionary is full (4,095 services or 255 brokers since the last time,
   * e.g. service names that carry a pod id): the pairs waiting at that moment are not counted.
   */
  private reset(): void {
    this.epoch++;
    this.seen.clear();
    this.waiting.clear();
    this.serviceIds.clear();
    this.serviceNames.length = 1;
    this.systemIds.clear();
    this.systemNames.length = 1;
    this.keys.clear();
    this.lastResource = undefined;
  }

  private serviceId(s: SpanFacts, mayReset: boolean): number {
    if (s.resource !== this.lastResource) {
      let id = idOf(s.resource.service, this.serviceIds, this.serviceNames, MAX_SERVICES);
      if (id === 0 && mayReset) {
        this.reset();
        id = idOf(s.resource.service, this.serviceIds, this.serviceNames, MAX_SERVICES);
      }
      this.lastResource = s.resource;
      this.lastServiceId = id;
    }
    return this.lastServiceId;
  }

  private systemId(name: string, mayReset: boolean): number {
    const id = idOf(name, this.systemIds, this.systemNames, MAX_SYSTEMS);
    if (id !== 0 || !mayReset) return id;
    this.reset();
    return idOf(name, this.systemIds, this.systemNames, MAX_SYSTEMS);
  }

  /** The span's facts packed (see the bit layout above); 0 when a dictionary is full and may not restart. */
  private pack(s: SpanFacts, mayReset: boolean): number {
    const service = this.serviceId(s, mayReset);
    let v = LIVE | service | (s.kind << KIND_SHIFT) | (s.statusCode === 2 ? ERROR : 0);
    const pairs = s.pairs;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const key = pairs[i] as string;
      const c = key.charCodeAt(0);
      if (c === 109 /* m */ && key.startsWith('messaging.')) {
        v |= MESSAGING;
        // The first messaging.system, as buildServiceMap reads it.
        if (key === 'messaging.system' && pairs[i + 1] && !(v & (SYSTEM_MASK << SYSTEM_SHIFT))) {
          v |= this.systemId((pairs[i + 1] as string).toLowerCase(), mayReset) << SYSTEM_SHIFT;
        }
      } else if (c === 114 /* r */ && key.startsWith('rpc.')) v |= RPC;
      else if (c === 104 /* h */ && key.startsWith('http.')) v |= HTTP;
    }
    return v;
  }
}

/** The name's id (1-based) in a capped dictionary, 0 when it is full. */
function idOf(name: string, ids: Map<string, number>, names: string[], max: number): number {
  let id = ids.get(name);
  if (id === undefined) {
    if (names.length > max) return 0;
    id = names.length;
    ids.set(name, id);
    names.push(name);
  }
  return id;
}
