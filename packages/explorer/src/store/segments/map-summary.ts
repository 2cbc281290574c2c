/**
 * A segment's share of the service map: spans and errors per service, and
 * calls and errors per edge, counted in 10-second buckets of span start time
 * as spans are accepted (edges as edge-resolver.ts pairs them). A map for any
 * window then sums a few thousand counters instead of reading traces; the
 * counts persist with the segment's index snapshot and are dropped with it.
 */
import type { EdgeKind, ServiceMap } from '../../api-types.ts';
import { serviceMapOf } from '../../query/service-map.ts';

/** Bucket width, ns. A window's ends are rounded out to whole buckets. */
export const MAP_BUCKET_NS = 10_000_000_000;

export const bucketOf = (startNs: bigint): number => Math.floor(Number(startNs) / MAP_BUCKET_NS);

/**
 * Buckets one segment keeps at most (a day of 10 s buckets). Start times are the sender's to
 * choose: past this, a span in a new bucket is counted in the segment's nearest end bucket, so
 * spans with scattered times cost a counter each, not a bucket each.
 */
export const MAX_BUCKETS = 8640;

/** [count, errors]. */
type Counts = [number, number];

export interface Bucket {
  /** By service name. */
  nodes: Map<string, Counts>;
  /** By edgeKey. */
  edges: Map<string, Counts>;
}

export interface MapSummarySnapshot {
  buckets: Map<number, Bucket>;
}

export interface EdgeFields {
  from: string;
  to: string;
  kind: EdgeKind;
  system?: string;
}

/** One string per distinct edge: NUL cannot occur in the parts that matter here without being harmless. */
export const edgeKey = (e: EdgeFields): string => `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.system ?? ''}`;

export function edgeOfKey(key: string): EdgeFields {
  const [from = '', to = '', kind = 'other', system = ''] = key.split('\u0000');
  return { from, to, kind: kind as EdgeKind, ...(system ? { system } : {}) };
}

/** Sums of nodes and edges over buckets (MapSummary.addTo). */
export class MapTotals {
  readonly nodes = new Map<string, Counts>();
  readonly edges = new Map<string, Counts>();

  add(b: Bucket): void {
    merge(this.nodes, b.nodes);
    merge(this.edges, b.edges);
  }
}

/** The service map of summed counts. */
export function mapOfTotals(totals: MapTotals): ServiceMap {
  return serviceMapOf(
    [...totals.nodes].map(([service, [spanCount, errorCount]]) => ({ service, spanCount, errorCount })),
    [...totals.edges].map(([key, [count, errorCount]]) => ({ ...edgeOfKey(key), count, errorCount })),
  );
}

function merge(into: Map<string, Counts>, from: Map<string, Counts>): void {
  for (const [k, c] of from) {
    const have = into.get(k);
    if (have) {
      have[0] += c[0];
      have[1] += c[1];
    } else into.set(k, [c[0], c[1]]);
  }
}

function bump(m: Map<string, Counts>, key: string, error: boolean): void {
  const c = m.get(key);
  if (c) {
    c[0]++;
    if (error) c[1]++;
  } else m.set(key, [1, error ? 1 : 0]);
}

export class MapSummary {
  private readonly buckets: Map<number, Bucket>;
  private minBucket = Number.POSITIVE_INFINITY;
  private maxBucket = Number.NEGATIVE_INFINITY;
  /** Spans are mostly in the bucket of the span before: that one is kept at hand. */
  private lastNo = Number.NaN;
  private last: Bucket | undefined;
  /** Sum of every bucket, for windows that hold the whole segment; dropped by any count. */
  private total: MapTotals | undefined;

  constructor(snap?: MapSummarySnapshot) {
    this.buckets = snap?.buckets ?? new Map();
    for (const no of this.buckets.keys()) this.see(no);
  }

  snapshot(): MapSummarySnapshot {
    return { buckets: this.buckets };
  }

  private see(no: number): void {
    if (no < this.minBucket) this.minBucket = no;
    if (no > this.maxBucket) this.maxBucket = no;
  }

  private bucket(no: number): Bucket {
    if (no === this.lastNo && this.last) return this.last;
    let b = this.buckets.get(no);
    if (!b && this.buckets.size >= MAX_BUCKETS) {
      no = no < this.minBucket ? this.minBucket : this.maxBucket;
      b = this.buckets.get(no);
    }
    if (!b) {
      b = { nodes: new Map(), edges: new Map() };
      this.buckets.set(no, b);
      this.see(no);
    }
    this.lastNo = no;
    this.last = b;
    return b;
  }

  span(no: number, service: string, error: boolean): void {
    bump(this.bucket(no).nodes, service, error);
    this.total = undefined;
  }

  /** A call from one service to another, in the bucket of the called (child or consumer) span. */
  edge(no: number, key: string, error: boolean): void {
    bump(this.bucket(no).edges, key, error);
    this.total = undefined;
  }

  /** Adds the buckets overlapping [sinceNs, untilNs] to `into`. */
  addTo(into: MapTotals, sinceNs: number, untilNs: number): void {
    if (!this.buckets.size) return;
    const first = Math.floor(sinceNs / MAP_BUCKET_NS);
    const last = Math.floor(untilNs / MAP_BUCKET_NS);
    if (last < this.minBucket || first > this.maxBucket) return;
    if (first <= this.minBucket && last >= this.maxBucket) {
      if (!this.total) {
        this.total = new MapTotals();
        for (const b of this.buckets.values()) this.total.add(b);
      }
      into.add(this.total);
      return;
    }
    // A short window over a long segment walks its own buckets, a long one the segment's.
    if (last - first < this.buckets.size) {
      for (let no = Math.max(first, this.minBucket); no <= Math.min(last, this.maxBucket); no++) {
        const b = this.buckets.get(no);
        if (b) into.add(b);
      }
    } else for (const [no, b] of this.buckets) if (no >= first && no <= last) into.add(b);
  }
}
