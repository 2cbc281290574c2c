/**
 * The segment store split by trace id over N shards, each a segment store of its own directory
 * on a thread of its own (shard-worker.ts). One event loop scanning, indexing and deflating
 * every span is the unsharded store's ceiling (about one core, docs/performance.md); here the
 * explorer's thread splits each request by trace (request-split.ts) and the shards store their
 * parts side by side, at the price of a V8 heap per shard (memory: docs/performance.md). A trace lives whole in one shard, so the per-trace cap, the trace view and the
 * service map's parent/child pairing work within a shard as before; a query asks every shard
 * and merges the answers (shard-merge.ts).
 *
 * Layout: `<dataDir>/shards/COUNT` (the shard count, fixed when the directory is created) and
 * `<dataDir>/shards/<i>/segments/`. docs/explorer.md has the layout, docs/design.md the choice.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceMap } from '../../api-types.ts';
import type { StoredSpan } from '../../model.ts';
import type { SpanLimits } from '../../receive/limits.ts';
import { groupByTrace } from '../group-by-trace.ts';
import { MapTotals, mapOfTotals } from '../segments/map-summary.ts';
import { SEGMENT_SPANS, type SegmentStoreOptions } from '../segments/segment-store.ts';
import {
  type OperationInfo,
  type RequestWriteResult,
  type SearchQuery,
  type SearchResult,
  type Store,
  type StoreStatus,
  type WriteResult,
  SEARCH_COUNT_CAP,
  StoreClosedError,
} from '../store.ts';
import { type StoreLimits, resolveStoreLimits } from '../store-limits.ts';
import { shardOfTraceHex, splitRequest } from './request-split.ts';
import { ShardClient } from './shard-client.ts';
import type { Scanned, Shard, ShardOptions } from './shard-protocol.ts';
import { mergeOperations, mergeRecent, mergeRequestWrites, mergeSearch, mergeWrites } from './shard-merge.ts';

export const SHARDS_DIR = 'shards';
const COUNT_FILE = 'COUNT';
export const MAX_SHARDS = 16;

export interface ShardedStoreOptions extends Omit<SegmentStoreOptions, 'onOpenProgress'> {
  /** Shards of a new directory; a directory made before keeps its own count. Default 2. */
  shards?: number;
  /** Segments read at open, summed over the shards. */
  onOpenProgress?: (read: number, of: number) => void;
  /** A shard's thread stopped on its own (its calls answer StoreUnavailableError until it is started again). */
  onError?: (err: Error) => void;
  /** A stopped shard runs again. */
  onRestarted?: (shard: string) => void;
}

/** The shard count a directory was made with, if it was. */
export function shardCountOf(dataDir: string): number | undefined {
  const file = path.join(dataDir, SHARDS_DIR, COUNT_FILE);
  if (!fs.existsSync(file)) return undefined;
  const n = Number(fs.readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_SHARDS) throw new Error(`${file} should hold a shard count from 1 to ${MAX_SHARDS}, not ${JSON.stringify(fs.readFileSync(file, 'utf8').trim())}`);
  return n;
}

/** Fixes the count of a new directory: the shard directories first, then COUNT, put in place by a rename. */
function createLayout(dataDir: string, shards: number): void {
  const root = path.join(dataDir, SHARDS_DIR);
  for (let i = 0; i < shards; i++) fs.mkdirSync(path.join(root, String(i)), { recursive: true });
  const tmp = path.join(root, `${COUNT_FILE}.tmp`);
  fs.writeFileSync(tmp, `${shards}\n`);
  fs.renameSync(tmp, path.join(root, COUNT_FILE));
}

export class ShardedStore implements Store {
  readonly limits: StoreLimits;
  private closed = false;

  private constructor(
    private readonly shards: Shard[],
    limits: StoreLimits,
    private readonly countCap: number,
  ) {
    this.limits = limits;
  }

  get shardCount(): number {
    return this.shards.length;
  }

  static async open(opts: ShardedStoreOptions): Promise<ShardedStore> {
    const { shards: wanted = 2, onOpenProgress, onError = () => undefined, onRestarted, ...rest } = opts;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_SHARDS) throw new RangeError(`shards must be a whole number from 1 to ${MAX_SHARDS}`);
    let n = shardCountOf(opts.dataDir);
    if (n === undefined) {
      createLayout(opts.dataDir, wanted);
      n = wanted;
    }
    const progress = new Array<[number, number]>(n).fill([0, 0]);
    const started = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => {
        const options: ShardOptions = {
          ...rest,
          ...shareOf(rest, n as number),
          dataDir: path.join(opts.dataDir, SHARDS_DIR, String(i)),
        };
        const onProgress = (read: number, of: number): void => {
          progress[i] = [read, of];
          onOpenProgress?.(
            progress.reduce((s, p) => s + p[0], 0),
            progress.reduce((s, p) => s + p[1], 0),
          );
        };
        return ShardClient.start(String(i), options, onProgress, { onError, ...(onRestarted ? { onRestarted } : {}) });
      }),
    );
    const clients: Shard[] = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      throw failed.reason;
    }
    return new ShardedStore(clients, resolveStoreLimits(rest), rest.searchCountCap ?? SEARCH_COUNT_CAP);
  }

  private shardOf(traceId: string): Shard {
    return this.shards[shardOfTraceHex(traceId, this.shards.length)] as Shard;
  }

  /**
   * Each shard stores its part as sent when its scan can (request-scan.ts); when one cannot, the
   * request resolves undefined and the receiver decodes it whole and writes it. Parts already
   * stored are then offered again and dropped as duplicates, and they are what the decoder makes
   * of those spans: a scan stores a span only where no per-span limit touches it.
   *
   * The request-wide limits are the exception, as a part cannot see the others: the span count
   * is checked here, and a request that could hold more items than its budget (at two bytes an
   * item at least, one over twice the budget in bytes) is scanned by every shard before any
   * stores, and stored only when the parts' items together fit.
   */
  writeProtobuf(request: Uint8Array, limits: SpanLimits): Promise<RequestWriteResult | undefined> | undefined {
    if (this.closed) return undefined;
    const split = splitRequest(request, this.shards.length);
    if (!split || split.spans > limits.maxSpansPerRequest) return undefined;
    return request.length <= 2 * limits.maxItemsPerRequest ? this.storeParts(split.parts, limits) : this.scanThenStore(split.parts, limits);
  }

  private async storeParts(parts: Array<Uint8Array | undefined>, limits: SpanLimits): Promise<RequestWriteResult | undefined> {
    const results = await Promise.all(parts.map((p, i) => (p ? (this.shards[i] as Shard).call('store', [p, limits], [p.buffer as ArrayBuffer]) : null)));
    if (results.includes(undefined)) return undefined;
    return mergeRequestWrites(results.filter((r): r is RequestWriteResult => r !== null));
  }

  private async scanThenStore(parts: Array<Uint8Array | undefined>, limits: SpanLimits): Promise<RequestWriteResult | undefined> {
    const scans = await Promise.allSettled(parts.map((p, i) => (p ? (this.shards[i] as Shard).call('scan', [p, limits], [p.buffer as ArrayBuffer]) : undefined)));
    const held: Array<[Shard, Scanned]> = [];
    let whole = true;
    scans.forEach((s, i) => {
      if (!parts[i]) return;
      if (s.status === 'fulfilled' && s.value) held.push([this.shards[i] as Shard, s.value]);
      else whole = false;
    });
    // A resource or scope counts in each part it is copied to: the sum errs high, toward decoding.
    if (!whole || held.reduce((n, [, s]) => n + s.items, 0) > limits.maxItemsPerRequest) {
      for (const [shard, s] of held) void shard.call('drop', [s.token]).catch(() => undefined);
      const failed = scans.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      return undefined;
    }
    return mergeRequestWrites(await Promise.all(held.map(([shard, s]) => shard.call('commit', [s.token]))));
  }

  async write(spans: StoredSpan[]): Promise<WriteResult> {
    if (this.closed) throw new StoreClosedError();
    const parts = new Map<Shard, StoredSpan[]>();
    for (const [traceId, list] of groupByTrace(spans, (s) => s.span.traceId)) {
      const shard = this.shardOf(traceId);
      const into = parts.get(shard);
      if (into) into.push(...list);
      else parts.set(shard, list);
    }
    return mergeWrites(await Promise.all([...parts].map(([shard, list]) => shard.call('write', [list]))));
  }

  getTrace(traceId: string): Promise<StoredSpan[] | undefined> {
    return this.shardOf(traceId).call('getTrace', [traceId]);
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    // Each shard's first offset + limit, merged: the page is among them.
    const whole = { ...q, offset: 0, limit: q.offset + q.limit };
    const pages = await Promise.all(this.shards.map((s) => s.call('search', [whole])));
    return mergeSearch(pages, q, this.countCap);
  }

  async services(): Promise<string[]> {
    const all = await Promise.all(this.shards.map((s) => s.call('services', [])));
    return [...new Set(all.flat())].sort().slice(0, this.limits.maxServices);
  }

  async operations(service?: string): Promise<OperationInfo[]> {
    const all = await Promise.all(this.shards.map((s) => s.call('operations', [service])));
    return mergeOperations(all).slice(0, service === undefined ? this.limits.maxOperations : this.limits.maxOperationsPerService);
  }

  async recentTraces(sinceNs: bigint, untilNs: bigint, maxTraces: number): Promise<StoredSpan[][]> {
    const all = await Promise.all(this.shards.map((s) => s.call('recentTraces', [sinceNs, untilNs, maxTraces])));
    return mergeRecent(all, maxTraces);
  }

  async serviceMap(sinceNs: bigint, untilNs: bigint): Promise<ServiceMap> {
    const totals = new MapTotals();
    for (const part of await Promise.all(this.shards.map((s) => s.call('mapTotals', [sinceNs, untilNs])))) totals.add(part);
    return mapOfTotals(totals);
  }

  async status(): Promise<StoreStatus> {
    const all = await Promise.all(this.shards.map((s) => s.call('status', [])));
    const oldest = all.map((s) => s.oldestMs).filter((ms): ms is number => ms !== null);
    return {
      spans: all.reduce((n, s) => n + s.spans, 0),
      traces: all.reduce((n, s) => n + s.traces, 0),
      dbBytes: all.reduce((n, s) => n + s.dbBytes, 0),
      oldestMs: oldest.length ? Math.min(...oldest) : null,
    };
  }

  async deleteOlderThan(cutoffNs: bigint, batch: number): Promise<number> {
    const dropped = await Promise.all(this.shards.map((s) => s.call('deleteOlderThan', [cutoffNs, batch])));
    return dropped.reduce((a, b) => a + b, 0);
  }

  /** Each shard keeps to its share of the bound: traces spread evenly over shards by their random ids. */
  async shrinkTo(maxBytes: number, batch: number): Promise<number> {
    const share = maxBytes / this.shards.length;
    const dropped = await Promise.all(this.shards.map((s) => s.call('shrinkTo', [share, batch])));
    return dropped.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.shards.map((s) => s.close()));
  }
}

/**
 * A shard's share of the store-wide bounds that are about memory or queueing, not about a
 * trace: each shard sees about 1/n of the spans, so 1/n of the tables keeps the same reach.
 */
function shareOf(o: Omit<SegmentStoreOptions, 'onOpenProgress'>, n: number): Partial<ShardOptions> {
  const log2 = Math.floor(Math.log2(n));
  return {
    io: 'inline',
    // The newest segment's index is the mutable, larger kind: n of them at a time, 1/n the size.
    segmentSpans: Math.ceil((o.segmentSpans ?? SEGMENT_SPANS) / n),
    maxQueuedSpans: Math.ceil((o.maxQueuedSpans ?? 200_000) / n),
    blockCacheMiB: (o.blockCacheMiB ?? 32) / n,
    edgeTables: { seenBits: (o.edgeTables?.seenBits ?? 19) - log2, waitingBits: (o.edgeTables?.waitingBits ?? 19) - log2 },
  };
}
