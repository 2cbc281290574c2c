/**
 * Trace summaries and the per-trace match, computed in the process from a light fetch of the
 * candidate traces' spans (ids, times, service, operation, parent) and the named conditions each
 * span matched (conditions.ts). Times come from Tracewire's exact nanoseconds when the document has
 * them, else from Jaeger's microseconds.
 */
import type { SearchQuery, TraceSummary } from '../store.ts';
import type { Condition } from './conditions.ts';
import { normalizeSpanId, normalizeTraceId } from './jaeger-doc.ts';

/** The `_source` fields a light fetch reads. */
export const LIGHT_FIELDS = [
  'traceID',
  'spanID',
  'parentSpanID',
  'startTime',
  'duration',
  'operationName',
  'process.serviceName',
  'references.refType',
  'references.spanID',
  'tracewire.span.startTimeUnixNano',
  'tracewire.span.endTimeUnixNano',
  'tracewire.span.parentSpanId',
];

export interface LightDoc {
  traceID: string;
  spanID: string;
  parentSpanID?: string;
  startTime: number;
  duration: number;
  operationName: string;
  process?: { serviceName?: string };
  references?: Array<{ refType?: string; spanID?: string }>;
  tracewire?: { span?: { startTimeUnixNano?: string; endTimeUnixNano?: string; parentSpanId?: string } };
}

export interface LightSpan {
  traceId: string;
  spanId: string;
  isRoot: boolean;
  startNs: bigint;
  endNs: bigint;
  service: string;
  name: string;
  matched: Set<string>;
}

export function lightSpan(d: LightDoc, matched: string[] = []): LightSpan {
  const tw = d.tracewire?.span;
  const startNs = tw?.startTimeUnixNano ? BigInt(tw.startTimeUnixNano) : BigInt(Math.trunc(d.startTime)) * 1000n;
  const endNs = tw?.endTimeUnixNano ? BigInt(tw.endTimeUnixNano) : BigInt(Math.trunc(d.startTime + d.duration)) * 1000n;
  const hasParent = tw ? Boolean(tw.parentSpanId) : Boolean((d.references ?? []).some((r) => r.refType === 'CHILD_OF') || d.parentSpanID);
  return {
    traceId: normalizeTraceId(d.traceID),
    spanId: normalizeSpanId(d.spanID),
    isRoot: !hasParent,
    startNs,
    endNs: endNs > startNs ? endNs : startNs,
    service: d.process?.serviceName || 'unknown_service',
    name: d.operationName,
    matched: new Set(matched),
  };
}

/** The summary of one trace's spans (deduplicated by span id, first copy wins). */
export function summarize(traceId: string, spans: LightSpan[]): TraceSummary {
  const seen = new Set<string>();
  const unique = spans.filter((s) => !seen.has(s.spanId) && seen.add(s.spanId));
  let start = unique[0]?.startNs ?? 0n;
  let end = 0n;
  let errors = 0;
  const services = new Map<string, number>();
  let root: LightSpan | undefined;
  let earliest: LightSpan | undefined;
  for (const s of unique) {
    if (s.startNs < start) start = s.startNs;
    if (s.endNs > end) end = s.endNs;
    if (s.matched.has('err')) errors++;
    services.set(s.service, (services.get(s.service) ?? 0) + 1);
    if (s.isRoot && (!root || s.startNs < root.startNs)) root = s;
    if (!earliest || s.startNs < earliest.startNs) earliest = s;
  }
  const head = root ?? earliest;
  return {
    traceId,
    rootService: head?.service ?? '',
    rootName: head?.name ?? '',
    rootKnown: root !== undefined,
    startNs: start,
    durationNs: end > start ? end - start : 0n,
    spanCount: unique.length,
    errorCount: errors,
    services: [...services]
      .map(([name, spanCount]) => ({ name, spanCount }))
      .sort((a, b) => b.spanCount - a.spanCount || a.name.localeCompare(b.name)),
  };
}

/** Whether the trace satisfies the query: every condition by some span, `!key` by none, and the trace-level bounds. */
export function traceMatches(q: SearchQuery, conds: Condition[], spans: LightSpan[], summary: TraceSummary): boolean {
  for (const c of conds) {
    const some = spans.some((s) => s.matched.has(c.name));
    if (some === c.negate) return false;
  }
  if (q.text) {
    const needle = q.text.toLowerCase();
    if (!spans.some((s) => s.name.toLowerCase().includes(needle))) return false;
  }
  if (q.startNs !== undefined && summary.startNs < q.startNs) return false;
  if (q.endNs !== undefined && summary.startNs > q.endNs) return false;
  if (q.minDurationNs !== undefined && summary.durationNs < q.minDurationNs) return false;
  if (q.maxDurationNs !== undefined && summary.durationNs > q.maxDurationNs) return false;
  return true;
}

/** The store's sort orders (SearchQuery.sort); ties by trace id, as OpenSearch has no arrival order. */
export function compareSummaries(sort: SearchQuery['sort']): (a: TraceSummary, b: TraceSummary) => number {
  const byStart = (a: TraceSummary, b: TraceSummary) => (a.startNs === b.startNs ? b.traceId.localeCompare(a.traceId) : a.startNs < b.startNs ? 1 : -1);
  if (sort === 'longest') return (a, b) => (a.durationNs === b.durationNs ? byStart(a, b) : a.durationNs < b.durationNs ? 1 : -1);
  if (sort === 'spans') return (a, b) => b.spanCount - a.spanCount || byStart(a, b);
  return byStart;
}
