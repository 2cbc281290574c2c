/**
 * The query API's JSON shapes (`/api/tw/*`, server.ts), written once for the
 * server that builds them and the UI that reads them. Types only: the UI's
 * build erases this import, so nothing of the server reaches the browser.
 */
import type { SpanKindName, StatusName } from './model.ts';

export type { SpanKindName, StatusName };

export interface ApiAttribute {
  key: string;
  value: unknown;
  type: 'string' | 'int' | 'double' | 'bool' | 'array' | 'bytes' | 'kvlist';
}

export interface ApiSpanEvent {
  timeNs: string;
  name: string;
  attributes: ApiAttribute[];
}

export interface ApiSpanLink {
  traceId: string;
  spanId: string;
  attributes: ApiAttribute[];
}

/** A span with nanosecond times as decimal strings and typed attributes. */
export interface ApiSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKindName;
  service: string;
  startNs: string;
  endNs: string;
  durationNs: string;
  status: { code: StatusName; message?: string };
  attributes: ApiAttribute[];
  resource: ApiAttribute[];
  scope: { name: string; version?: string };
  events: ApiSpanEvent[];
  links: ApiSpanLink[];
}

export interface ServiceCount {
  name: string;
  spanCount: number;
}

/** A trace larger than the explorer serves: only the first `servedSpans` (by start time) are in the view. */
export interface TraceTruncation {
  /** Spans stored for the trace. */
  spanCount: number;
  /** Spans in this view (the bound, 100,000 by default). */
  servedSpans: number;
}

/**
 * `/api/tw/traces/{id}`: spans in start order, the critical path (span ids,
 * Jaeger UI's algorithm, src/trace/critical-path.ts) and a summary of the
 * spans served. `truncated` is present only when spans were left out.
 */
export interface TraceView {
  traceId: string;
  spans: ApiSpan[];
  criticalPath: string[];
  truncated?: TraceTruncation;
  summary: {
    durationNs: string;
    depth: number;
    spanCount: number;
    errorCount: number;
    services: ServiceCount[];
  };
}

/**
 * One span of a CompactTraceView, as a tuple: `kind` and `status` index the
 * view's `kinds` and `statuses`, `resource` and `scope` its `resources` and
 * `scopes`; `parentSpanId` is '' for none. Trailing empty fields are left
 * out (events, links, status message).
 */
export type CompactSpan = [
  spanId: string,
  parentSpanId: string,
  name: string,
  kind: number,
  resource: number,
  scope: number,
  startNs: string,
  endNs: string,
  status: number,
  attributes: ApiAttribute[],
  events?: ApiSpanEvent[],
  links?: ApiSpanLink[],
  statusMessage?: string,
];

/**
 * `/api/tw/traces/{id}?shape=compact`: the same trace as TraceView with what
 * spans share sent once (resources, scopes, kind and status names) and each
 * span a tuple; about a third of the bytes for a big trace. The critical
 * path and `summary.depth` are not sent: the client computes both from the
 * span tree it builds anyway (src/trace). `ui/lib/compact-trace.ts` turns it
 * back into the TraceView the full shape says (query/trace-view-compact.test.ts
 * holds them equal).
 */
export interface CompactTraceView {
  shape: 'compact';
  traceId: string;
  kinds: SpanKindName[];
  statuses: StatusName[];
  resources: Array<{ service: string; attributes: ApiAttribute[] }>;
  scopes: Array<{ name: string; version?: string }>;
  spans: CompactSpan[];
  truncated?: TraceTruncation;
  summary: Omit<TraceView['summary'], 'depth'>;
}

/** One row of `/api/tw/search`. */
export interface ApiTraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: ServiceCount[];
}

export interface SearchResponse {
  /** Matching traces, counted up to a bound (10,000 by default); see totalCapped. */
  total: number;
  /** More than `total` traces match: show it as "10,000+". */
  totalCapped: boolean;
  limit: number;
  offset: number;
  traces: ApiTraceSummary[];
}

/** Jaeger v1 `/api/operations` entry. */
export interface Operation {
  name: string;
  spanKind: string;
}

export type EdgeKind = 'rpc' | 'http' | 'messaging' | 'other';

/** `/api/tw/service-map`. */
export interface ServiceMap {
  nodes: Array<{ service: string; spanCount: number; errorCount: number }>;
  edges: Array<{
    from: string;
    to: string;
    kind: EdgeKind;
    /** Messaging edges: the broker, `messaging.system` of the producer (else consumer) span, lower case (kafka, rabbitmq); absent when neither says. */
    system?: string;
    count: number;
    errorCount: number;
    errorRate: number;
  }>;
}
