/** Shapes of the explorer's query API (server.ts), as the UI reads them. */

export type SpanKind = 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'INTERNAL' | 'UNSPECIFIED';
export type StatusCode = 'UNSET' | 'OK' | 'ERROR';

export interface KeyValue {
  key: string;
  value: unknown;
  type: string;
}

export interface SpanEvent {
  timeNs: string;
  name: string;
  attributes: KeyValue[];
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: KeyValue[];
}

export interface Span {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  service: string;
  startNs: string;
  endNs: string;
  durationNs: string;
  status: { code: StatusCode; message?: string };
  attributes: KeyValue[];
  resource: KeyValue[];
  scope: { name: string; version?: string };
  events: SpanEvent[];
  links: SpanLink[];
}

export interface ServiceCount {
  name: string;
  spanCount: number;
}

export interface TraceResponse {
  traceId: string;
  spans: Span[];
  criticalPath: string[];
  summary: {
    durationNs: string;
    depth: number;
    spanCount: number;
    errorCount: number;
    services: ServiceCount[];
  };
}

export interface TraceSummary {
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
  traces: TraceSummary[];
}

export interface Operation {
  name: string;
  spanKind: string;
}

export type EdgeKind = 'rpc' | 'http' | 'messaging' | 'other';

export interface ServiceMap {
  nodes: { service: string; spanCount: number; errorCount: number }[];
  edges: { from: string; to: string; kind: EdgeKind; count: number; errorCount: number; errorRate: number }[];
}
