/**
 * The `/api/tw/traces/{id}` view of a trace: spans in start order with
 * nanosecond times as decimal strings and typed attributes, the critical path
 * and a summary, all from the shared trace model (src/trace). A trace above
 * the span bound is served truncated, with a marker, so one huge trace cannot
 * hold the event loop.
 */
import type { ApiAttribute, ApiSpan, TraceTruncation, TraceView } from '../api-types.ts';
import { type KeyValue, KIND_NAMES, STATUS_NAMES, type StoredSpan, valueToPlain, valueType } from '../model.ts';
import { buildTree, criticalPathIds, summarize, type TraceSpan } from '../trace/index.ts';
import { relativeNs } from '../trace/ns-time.ts';

/**
 * Most spans of one trace the query API serves (TraceView and Jaeger JSON).
 * Every algorithm on a trace is n log n at worst, but at this size the JSON
 * alone is tens of MB: beyond it a trace is served truncated, with a marker.
 */
export const MAX_TRACE_SPANS = 100_000;

export function apiAttributes(list: KeyValue[]): ApiAttribute[] {
  return list.map((kv) => {
    const t = valueType(kv.value);
    return t === 'empty' ? { key: kv.key, value: '', type: 'string' } : { key: kv.key, value: valueToPlain(kv.value), type: t };
  });
}

function startOf(s: StoredSpan): bigint {
  try {
    return BigInt(s.span.startTimeUnixNano);
  } catch {
    return 0n;
  }
}

const byId = (a: StoredSpan, b: StoredSpan): number => (a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0);

/**
 * Spans sorted by start time, then span id, for a stable order. Starts are
 * compared as exact trace-relative doubles (ns-time.ts: a third of the time
 * of BigInt keys for 100,000 spans); odd times fall back to BigInt.
 */
export function sortSpans(spans: StoredSpan[]): StoredSpan[] {
  const rel = relativeNs(spans.map((s) => s.span.startTimeUnixNano));
  if (rel) {
    const offsets = rel.offsets;
    const order = Array.from(spans.keys()).sort((a, b) => (offsets[a] as number) - (offsets[b] as number) || byId(spans[a] as StoredSpan, spans[b] as StoredSpan));
    return order.map((i) => spans[i] as StoredSpan);
  }
  return spans
    .map((s) => ({ s, start: startOf(s) }))
    .sort((a, b) => (a.start === b.start ? byId(a.s, b.s) : a.start < b.start ? -1 : 1))
    .map((x) => x.s);
}

/** The first `max` spans by start time, and a truncation marker when that left some out. */
export function boundedSpans(stored: StoredSpan[], max = MAX_TRACE_SPANS): { spans: StoredSpan[]; truncated?: TraceTruncation } {
  const sorted = sortSpans(stored);
  if (sorted.length <= max) return { spans: sorted };
  return { spans: sorted.slice(0, max), truncated: { spanCount: sorted.length, servedSpans: max } };
}

/**
 * A batch's spans share one Resource object (model.ts): convert its attributes
 * once, not once per span. The same array is then shared by those ApiSpans,
 * which only ever get serialised.
 */
const resourceCache = new WeakMap<object, ApiAttribute[]>();
function resourceAttributes(resource: StoredSpan['resource']): ApiAttribute[] {
  let out = resourceCache.get(resource);
  if (!out) {
    out = apiAttributes(resource.attributes);
    resourceCache.set(resource, out);
  }
  return out;
}

export function toApiSpan({ span, resource, scope, service }: StoredSpan): ApiSpan {
  const start = BigInt(span.startTimeUnixNano);
  const end = BigInt(span.endTimeUnixNano);
  const status: ApiSpan['status'] = { code: STATUS_NAMES[span.status.code] ?? 'UNSET' };
  if (span.status.message) status.message = span.status.message;
  const sc: ApiSpan['scope'] = { name: scope.name };
  if (scope.version) sc.version = scope.version;
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId === '' ? null : span.parentSpanId,
    name: span.name,
    kind: KIND_NAMES[span.kind] ?? 'UNSPECIFIED',
    service,
    startNs: span.startTimeUnixNano,
    endNs: span.endTimeUnixNano,
    durationNs: String(end > start ? end - start : 0n),
    status,
    attributes: apiAttributes(span.attributes),
    resource: resourceAttributes(resource),
    scope: sc,
    events: span.events.map((e) => ({ timeNs: e.timeUnixNano, name: e.name, attributes: apiAttributes(e.attributes) })),
    links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: apiAttributes(l.attributes) })),
  };
}

/** The summary of the view (`depth` apart: that needs the tree). */
export function viewSummary(spans: readonly TraceSpan[]): Omit<TraceView['summary'], 'depth'> {
  const summary = summarize(spans);
  return { durationNs: String(summary.durationNs), spanCount: summary.spanCount, errorCount: summary.errorCount, services: summary.services };
}

export function traceView(traceId: string, stored: StoredSpan[], maxSpans = MAX_TRACE_SPANS): TraceView {
  const bounded = boundedSpans(stored, maxSpans);
  const spans = bounded.spans.map(toApiSpan);
  const tree = buildTree(spans);
  const { durationNs, spanCount, errorCount, services } = viewSummary(spans);
  return {
    traceId,
    spans,
    criticalPath: criticalPathIds(tree),
    ...(bounded.truncated ? { truncated: bounded.truncated } : {}),
    summary: { durationNs, depth: tree.depth, spanCount, errorCount, services },
  };
}
