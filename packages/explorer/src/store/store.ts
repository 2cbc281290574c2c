/**
 * The storage contract the receivers and the query API share. Everything is
 * async so that a distributed backend (see docs/explorer.md) can stand behind
 * the same API and UI; the embedded SQLite store is one implementation.
 */
import type { ServiceMap } from '../api-types.ts';
import type { SpanKindNumber, StoredSpan } from '../model.ts';
import type { SpanLimits } from '../receive/limits.ts';

export interface ServiceCount {
  name: string;
  spanCount: number;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  /** False while the root span (no parent) has not arrived; then root* name the earliest span. */
  rootKnown: boolean;
  startNs: bigint;
  durationNs: bigint;
  spanCount: number;
  errorCount: number;
  services: ServiceCount[];
}

/** Attribute filter on resource or span attributes, matched per trace. */
export type AttrFilter =
  | { op: 'eq' | 'ne' | 'prefix'; key: string; value: string }
  | { op: 'exists' | 'absent'; key: string };

export interface SearchQuery {
  /** Trace start window, ns since epoch, inclusive. */
  startNs?: bigint;
  endNs?: bigint;
  /** Some span in the trace has this service (and, when given, this operation and kind). */
  service?: string;
  operation?: string;
  kind?: SpanKindNumber;
  errorsOnly?: boolean;
  /** Substring of some span name (case-insensitive). */
  text?: string;
  attrs: AttrFilter[];
  minDurationNs?: bigint;
  maxDurationNs?: bigint;
  limit: number;
  offset: number;
  /**
   * 'recent': newest first, by trace start time (the earliest span start
   * stored so far), ties by arrival (the trace first stored later first).
   * 'longest': by duration, then start. 'spans': by span count, then start.
   */
  sort: 'recent' | 'longest' | 'spans';
}

/** Search counts matching traces up to this many (as Jaeger and Tempo bound theirs): counting every match grows with the store. */
export const SEARCH_COUNT_CAP = 10_000;

export interface SearchResult {
  /**
   * Matching traces. When more than the count cap match, the cap (or offset + traces returned, if
   * larger) with `totalCapped`, unless this page came back short: then the exact count.
   */
  total: number;
  /** True when more than `total` traces match: `total` is a lower bound. */
  totalCapped: boolean;
  traces: TraceSummary[];
}

export interface OperationInfo {
  service: string;
  name: string;
  kind: SpanKindNumber;
}

/** The order operations are listed in: by service, then name, then kind. */
export const compareOperations = (a: OperationInfo, b: OperationInfo): number =>
  a.service < b.service ? -1 : a.service > b.service ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind - b.kind;

export interface StoreStatus {
  spans: number;
  traces: number;
  dbBytes: number;
  /** Start of the oldest stored trace, ms since epoch; null when empty. */
  oldestMs: number | null;
}

/** What a write stored. Spans a retried export sends again are not refused: they are stored already. */
export interface WriteResult {
  /** Spans refused by a store limit (the per-trace span cap): not stored. OTLP reports them as rejected. */
  rejected: number;
  /** One sentence per limit that refused spans; empty when none did. */
  messages: string[];
}

/** What a write of a whole OTLP/protobuf request stored (Store.writeProtobuf). */
export interface RequestWriteResult extends WriteResult {
  /** Spans of the request, stored or refused. */
  spans: number;
  /** Traces that got spans: the live feed hears of them. */
  traceIds: ReadonlySet<string>;
}

export interface Store {
  /**
   * Optional fast path: stores an OTLP/protobuf ExportTraceServiceRequest as received, with the
   * same outcome as decoding it under `limits` and writing the spans. Returns (or resolves)
   * undefined, storing nothing, when it cannot (the receiver then decodes and calls `write`).
   */
  writeProtobuf?(request: Uint8Array, limits: SpanLimits): Promise<RequestWriteResult | undefined> | undefined;
  /**
   * Resolves only once the spans are durably committed; rejects with StoreBusyError when over the
   * queue bound, StoreUnavailableError when the database cannot be written (disk full, locked, I/O).
   */
  write(spans: StoredSpan[]): Promise<WriteResult>;
  /** Every stored span of the trace (deduplicated by span id), or undefined when unknown. */
  getTrace(traceId: string): Promise<StoredSpan[] | undefined>;
  /** Rejects with QueryBudgetError when an exact answer needs more work than the store allows one query. */
  search(query: SearchQuery): Promise<SearchResult>;
  /** At most the store's service cap (10,000 by default), by name. */
  services(): Promise<string[]>;
  /** At most the store's per-service operation cap (10,000 by default) for one service. */
  operations(service?: string): Promise<OperationInfo[]>;
  /** Spans of the most recent traces that started at or after `sinceNs` (for maps and dependencies). */
  recentTraces(sinceNs: bigint, untilNs: bigint, maxTraces: number): Promise<StoredSpan[][]>;
  /**
   * The service map of spans that started in the window, when the store counts it as spans
   * arrive; without it the map is built from `recentTraces`.
   */
  serviceMap?(sinceNs: bigint, untilNs: bigint): Promise<ServiceMap>;
  status(): Promise<StoreStatus>;
  /** Deletes up to `batch` of the oldest traces that started before `cutoffNs`; returns how many. */
  deleteOlderThan(cutoffNs: bigint, batch: number): Promise<number>;
  /** Deletes up to `batch` oldest traces if the store holds more than `maxBytes`; returns how many. */
  shrinkTo(maxBytes: number, batch: number): Promise<number>;
  /** Finishes queued writes, then closes. */
  close(): Promise<void>;
}

export class StoreBusyError extends Error {
  override name = 'StoreBusyError';
  constructor(readonly retryAfterSeconds: number) {
    super('the write queue is full; retry later');
  }
}

export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
  constructor() {
    super('the store is shutting down');
  }
}

/**
 * The store cannot write right now (disk full, database locked or an I/O error) but may recover
 * by itself. Receivers answer what OTLP calls retryable (HTTP 503 + Retry-After, gRPC UNAVAILABLE),
 * so exporters keep the batch instead of dropping it.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** The database file is damaged: the explorer refuses to start and says what to do. */
export class StoreCorruptError extends Error {
  override name = 'StoreCorruptError';
}

/**
 * The database was written by a newer Tracewire (a higher schema version): this version refuses
 * to open it rather than write rows the newer one would misread.
 */
export class StoreVersionError extends Error {
  override name = 'StoreVersionError';
}

/**
 * A search would have to examine more traces than one query may (`SqliteStoreOptions.searchScanTraces`)
 * to answer exactly. Not retryable as is: the API answers 400 and the message says how to narrow it.
 */
export class QueryBudgetError extends Error {
  override name = 'QueryBudgetError';
  constructor(
    message: string,
    /** Traces the query was allowed to examine. */
    readonly budget: number,
  ) {
    super(message);
  }
}
