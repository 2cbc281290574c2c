/**
 * The compact shape of `/api/tw/traces/{id}` (`?shape=compact`, the web UI's):
 * the TraceView of trace-view.ts with what spans share sent once and each span
 * a tuple. A 100,000-span trace is 38 MiB as TraceView, mostly the same keys,
 * resource and scope repeated per span; this shape writes, sends and parses
 * about a third of that, and builds no ApiSpan objects on the server.
 *
 * The critical path and the depth are left to the client: both need the span
 * tree, which the page builds anyway to draw the waterfall, so the server
 * building it too only made the page wait longer (docs/design.md).
 */
import type { CompactSpan, CompactTraceView } from '../api-types.ts';
import { KIND_NAMES, type Resource, type Scope, STATUS_NAMES, type StoredSpan } from '../model.ts';
import type { TraceSpan } from '../trace/index.ts';
import { apiAttributes, boundedSpans, MAX_TRACE_SPANS, viewSummary } from './trace-view.ts';

/** Index of each distinct resource (by service and attributes) and scope, in first-seen order. */
class SharedParts {
  readonly resources: CompactTraceView['resources'] = [];
  readonly scopes: CompactTraceView['scopes'] = [];
  private readonly resourceByObject = new Map<Resource, number>();
  private readonly resourceByKey = new Map<string, number>();
  private readonly scopeByObject = new Map<Scope, number>();
  private readonly scopeByKey = new Map<string, number>();

  resource(s: StoredSpan): number {
    let i = this.resourceByObject.get(s.resource);
    if (i !== undefined) return i;
    // Every stored chunk has its own copy of a resource: the same service's spans share one entry.
    const attributes = apiAttributes(s.resource.attributes);
    const key = JSON.stringify([s.service, attributes]);
    i = this.resourceByKey.get(key);
    if (i === undefined) {
      i = this.resources.push({ service: s.service, attributes }) - 1;
      this.resourceByKey.set(key, i);
    }
    this.resourceByObject.set(s.resource, i);
    return i;
  }

  scope(s: StoredSpan): number {
    let i = this.scopeByObject.get(s.scope);
    if (i !== undefined) return i;
    const entry: CompactTraceView['scopes'][number] = { name: s.scope.name };
    if (s.scope.version) entry.version = s.scope.version;
    const key = JSON.stringify(entry);
    i = this.scopeByKey.get(key);
    if (i === undefined) {
      i = this.scopes.push(entry) - 1;
      this.scopeByKey.set(key, i);
    }
    this.scopeByObject.set(s.scope, i);
    return i;
  }
}

function compactSpan({ span }: StoredSpan, resource: number, scope: number): CompactSpan {
  const row: CompactSpan = [
    span.spanId, span.parentSpanId, span.name, span.kind in KIND_NAMES ? span.kind : 0, resource, scope,
    span.startTimeUnixNano, span.endTimeUnixNano, span.status.code in STATUS_NAMES ? span.status.code : 0,
    apiAttributes(span.attributes),
  ];
  const message = span.status.message ?? '';
  const events = span.events.map((e) => ({ timeNs: e.timeUnixNano, name: e.name, attributes: apiAttributes(e.attributes) }));
  const links = span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: apiAttributes(l.attributes) }));
  if (events.length > 0 || links.length > 0 || message !== '') row.push(events);
  if (links.length > 0 || message !== '') row.push(links);
  if (message !== '') row.push(message);
  return row;
}

/** What the summary reads of a span. */
function traceSpan({ span, service }: StoredSpan): TraceSpan {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId === '' ? null : span.parentSpanId,
    service,
    name: span.name,
    kind: KIND_NAMES[span.kind] ?? 'UNSPECIFIED',
    startNs: span.startTimeUnixNano,
    endNs: span.endTimeUnixNano,
    status: { code: STATUS_NAMES[span.status.code] ?? 'UNSET' },
  };
}

export function compactTraceView(traceId: string, stored: StoredSpan[], maxSpans = MAX_TRACE_SPANS): CompactTraceView {
  const bounded = boundedSpans(stored, maxSpans);
  const shared = new SharedParts();
  const spans = bounded.spans.map((s) => compactSpan(s, shared.resource(s), shared.scope(s)));
  return {
    shape: 'compact',
    traceId,
    kinds: [...KIND_NAMES],
    statuses: [...STATUS_NAMES],
    resources: shared.resources,
    scopes: shared.scopes,
    spans,
    ...(bounded.truncated ? { truncated: bounded.truncated } : {}),
    summary: viewSummary(bounded.spans.map(traceSpan)),
  };
}
