/**
 * What the explorer's thread and a shard's thread say to each other: calls on the shard's
 * segment store (`ShardApi`) and their answers, with the store's errors carried across as
 * data and rebuilt as the same classes on arrival, so the receivers map them as they would
 * the store's own (retryable or not, Retry-After, the query budget).
 */
import type { SpanLimits } from '../../receive/limits.ts';
import type { RequestWriteResult, Store } from '../store.ts';
import {
  QueryBudgetError,
  StoreBusyError,
  StoreClosedError,
  StoreCorruptError,
  StoreUnavailableError,
  StoreVersionError,
} from '../store.ts';
import type { Bucket } from '../segments/map-summary.ts';
import type { SegmentStoreOptions } from '../segments/segment-store.ts';

/** A request part scanned and held by the shard until the caller commits or drops it. */
export interface Scanned {
  token: number;
  spans: number;
  /** Of the request's item budget (SpanLimits.maxItemsPerRequest). */
  items: number;
}

/** The store calls a shard answers as a store does, and its own: `store`, or `scan` + `commit`, is writeProtobuf's part. */
export interface ShardApi
  extends Pick<Store, 'write' | 'getTrace' | 'search' | 'services' | 'operations' | 'recentTraces' | 'status' | 'deleteOlderThan' | 'shrinkTo' | 'close'> {
  /** Scans a request part (request-scan.ts), holding its spans; undefined when the caller must decode. */
  scan(bytes: Uint8Array, limits: SpanLimits): Scanned | undefined;
  /** Stores a scanned part; resolves once it is durable. */
  commit(token: number): Promise<RequestWriteResult>;
  drop(token: number): void;
  /** Scans and stores a request part; undefined (nothing stored) when the caller must decode. */
  store(bytes: Uint8Array, limits: SpanLimits): Promise<RequestWriteResult | undefined>;
  /** The counts behind the service map (SegmentStore.mapTotals), which the shards' add up. */
  mapTotals(sinceNs: bigint, untilNs: bigint): Bucket;
}

export type ShardMethod = keyof ShardApi;

/** One shard as the sharded store sees it, on this thread or another. */
export interface Shard {
  /** `transfer`: buffers of `args` handed over to another thread instead of copied. */
  call<K extends ShardMethod>(method: K, args: Parameters<ShardApi[K]>, transfer?: ArrayBuffer[]): Promise<Awaited<ReturnType<ShardApi[K]>>>;
  close(): Promise<void>;
}

export type ShardCall = { [K in ShardMethod]: { id: number; method: K; args: Parameters<ShardApi[K]> } }[ShardMethod];

export interface WireError {
  name: string;
  message: string;
  retryAfterSeconds?: number;
  budget?: number;
}

export type ShardMessage =
  | { id: number; value: unknown }
  | { id: number; error: WireError }
  | { event: 'ready' }
  | { event: 'failed'; error: WireError }
  | { event: 'progress'; read: number; of: number };

/** A shard's store options: SegmentStoreOptions that cross a thread (no callbacks). */
export type ShardOptions = Omit<SegmentStoreOptions, 'onOpenProgress'>;

export interface ShardWorkerData {
  options: ShardOptions;
  /** The TypeScript module the bootstrap loads. */
  __module: string;
}

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const wire: WireError = { name: err.name, message: err.message };
  if (err instanceof StoreBusyError || err instanceof StoreUnavailableError) wire.retryAfterSeconds = err.retryAfterSeconds;
  if (err instanceof QueryBudgetError) wire.budget = err.budget;
  return wire;
}

export function fromWire(w: WireError): Error {
  switch (w.name) {
    case 'StoreBusyError':
      return new StoreBusyError(w.retryAfterSeconds ?? 1);
    case 'StoreUnavailableError':
      return new StoreUnavailableError(w.message, w.retryAfterSeconds);
    case 'StoreClosedError':
      return new StoreClosedError();
    case 'QueryBudgetError':
      return new QueryBudgetError(w.message, w.budget ?? 0);
    case 'StoreCorruptError':
      return new StoreCorruptError(w.message);
    case 'StoreVersionError':
      return new StoreVersionError(w.message);
    default: {
      const err = new Error(w.message);
      err.name = w.name;
      return err;
    }
  }
}
