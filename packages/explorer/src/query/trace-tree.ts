/**
 * The `/api/tw/traces/{id}` view of a trace: spans in start order with
 * nanosecond times as decimal strings, typed attributes, the critical path
 * and a summary (duration, depth, services).
 */
import type { ApiAttribute, ApiSpan, TraceView } from '../api-types.ts';
import { type KeyValue, KIND_NAMES, STATUS_NAMES, type StoredSpan, valueToPlain, valueType } from '../model.ts';
import { criticalPath } from './critical-path.ts';

export function apiAttributes(list: KeyValue[]): ApiAttribute[] {
  return list.map((kv) => {
    const t = valueType(kv.value);
    return t === 'empty' ? { key: kv.key, value: '', type: 'string' } : { key: kv.key, value: valueToPlain(kv.value), type: t };
  });
}

/** Spans sorted by start time, then span id, for a stable order. */
export function sortSpans(spans: StoredSpan[]): StoredSpan[] {
  return [...spans].sort((a, b) => {
    const sa = BigInt(a.span.startTimeUnixNano);
    const sb = BigInt(b.span.startTimeUnixNano);
    return sa === sb ? a.span.spanId.localeCompare(b.span.spanId) : sa < sb ? -1 : 1;
  });
}

/** Depth of the deepest span (a lone root has depth 1); spans whose parent is missing count as roots. */
export function treeDepth(spans: Array<{ spanId: string; parentSpanId: string | null }>): number {
  const parent = new Map(spans.map((s) => [s.spanId, s.parentSpanId]));
  const memo = new Map<string, number>();
  let max = 0;
  for (const s of spans) {
    const chain: string[] = [];
    let id: string | null = s.spanId;
    let base = 0;
    // Walk up until a known depth, a root, or a cycle.
    while (id !== null && parent.has(id) && !chain.includes(id)) {
      const known = memo.get(id);
      if (known !== undefined) {
        base = known;
        break;
      }
      chain.push(id);
      id = parent.get(id) ?? null;
    }
    for (let i = chain.length - 1; i >= 0; i--) memo.set(chain[i] as string, base + (chain.length - i));
    max = Math.max(max, memo.get(s.spanId) ?? 1);
  }
  return max;
}

export function traceView(traceId: string, stored: StoredSpan[]): TraceView {
  const sorted = sortSpans(stored);
  const spans: ApiSpan[] = sorted.map(({ span, resource, scope, service }) => {
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
      resource: apiAttributes(resource.attributes),
      scope: sc,
      events: span.events.map((e) => ({ timeNs: e.timeUnixNano, name: e.name, attributes: apiAttributes(e.attributes) })),
      links: span.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: apiAttributes(l.attributes) })),
    };
  });
  let min: bigint | undefined;
  let max: bigint | undefined;
  const services = new Map<string, number>();
  let errors = 0;
  for (const s of stored) {
    const a = BigInt(s.span.startTimeUnixNano);
    const b = BigInt(s.span.endTimeUnixNano);
    if (min === undefined || a < min) min = a;
    if (max === undefined || b > max) max = b;
    services.set(s.service, (services.get(s.service) ?? 0) + 1);
    if (s.span.status.code === 2) errors++;
  }
  const duration = min !== undefined && max !== undefined && max > min ? max - min : 0n;
  const pathInput = spans.map((s) => ({ spanId: s.spanId, parentSpanId: s.parentSpanId, start: BigInt(s.startNs), end: BigInt(s.endNs) }));
  return {
    traceId,
    spans,
    criticalPath: criticalPath(pathInput),
    summary: {
      durationNs: String(duration),
      depth: treeDepth(spans),
      spanCount: spans.length,
      errorCount: errors,
      services: [...services].map(([name, spanCount]) => ({ name, spanCount })).sort((a, b) => b.spanCount - a.spanCount || a.name.localeCompare(b.name)),
    },
  };
}
