/**
 * The compact trace view (`/api/tw/traces/{id}?shape=compact`,
 * query/trace-view-compact.ts) back into the TraceView the rest of the UI
 * reads. Spans of one resource share its attribute array, as on the server;
 * nothing in the UI changes a span, so sharing is safe. The critical path and
 * depth, which the compact shape leaves out, come from the span tree
 * (buildTraceTree keeps it for the page that asked for the trace).
 */
import type { ApiSpan, ApiSpanEvent, ApiSpanLink, CompactTraceView, TraceView } from '../../api-types.ts';
import { criticalPathIds } from '../../trace/index.ts';
import { buildTraceTree } from './trace-tree.ts';

const NO_EVENTS: ApiSpanEvent[] = [];
const NO_LINKS: ApiSpanLink[] = [];

/** end - start in ns as a decimal string, 0 when the span ends before it starts (as the server's TraceView says). */
function durationNs(startNs: string, endNs: string): string {
  try {
    const d = BigInt(endNs) - BigInt(startNs);
    return d > 0n ? String(d) : '0';
  } catch {
    return '0';
  }
}

export function expandCompactView(c: CompactTraceView): TraceView {
  const spans = c.spans.map((row): ApiSpan => {
    const [spanId, parentSpanId, name, kind, resource, scope, startNs, endNs, status, attributes, events, links, message] = row;
    const res = c.resources[resource];
    return {
      spanId,
      parentSpanId: parentSpanId === '' ? null : parentSpanId,
      name,
      kind: c.kinds[kind] ?? 'UNSPECIFIED',
      service: res?.service ?? 'unknown_service',
      startNs,
      endNs,
      durationNs: durationNs(startNs, endNs),
      status: message ? { code: c.statuses[status] ?? 'UNSET', message } : { code: c.statuses[status] ?? 'UNSET' },
      attributes,
      resource: res?.attributes ?? [],
      scope: c.scopes[scope] ?? { name: '' },
      events: events ?? NO_EVENTS,
      links: links ?? NO_LINKS,
    };
  });
  const tree = buildTraceTree(spans);
  const { durationNs: traceNs, spanCount, errorCount, services } = c.summary;
  return {
    traceId: c.traceId,
    spans,
    criticalPath: criticalPathIds(tree),
    ...(c.truncated ? { truncated: c.truncated } : {}),
    summary: { durationNs: traceNs, depth: tree.depth, spanCount, errorCount, services },
  };
}
