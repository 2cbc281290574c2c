/**
 * The per-trace summary row (`traces`) that search answers from without
 * reading any span: time range, root, counts and services. A write merges
 * its new spans into the row the trace has so far; spans may arrive in any
 * order, so the root is the parentless span once one arrived, and until then
 * the earliest span (`root_known` says which).
 */
import type { StoredSpan } from '../model.ts';

export interface TraceRow {
  tseq: number;
  start_ns: bigint;
  end_ns: bigint;
  root_service: string;
  root_name: string;
  root_known: number | bigint;
  span_count: number | bigint;
  error_count: number | bigint;
  services: string;
}

export interface TraceSummaryUpdate {
  startNs: bigint;
  endNs: bigint;
  durationNs: bigint;
  rootService: string;
  rootName: string;
  rootKnown: boolean;
  spanCount: number;
  errorCount: number;
  /** Spans per service, as the JSON object the row keeps. */
  servicesJson: string;
}

/** The row after adding `spans` (none of which the trace held) to `existing` (undefined for a new trace). */
export function mergeSummary(existing: TraceRow | undefined, spans: readonly StoredSpan[]): TraceSummaryUpdate {
  let start = existing?.start_ns;
  let end = existing?.end_ns;
  let rootService = existing?.root_service ?? '';
  let rootName = existing?.root_name ?? '';
  let rootKnown = existing ? Number(existing.root_known) === 1 : false;
  let errors = existing ? Number(existing.error_count) : 0;
  const services: Record<string, number> = existing ? (JSON.parse(existing.services) as Record<string, number>) : {};
  for (const s of spans) {
    const sStart = BigInt(s.span.startTimeUnixNano);
    const sEnd = BigInt(s.span.endTimeUnixNano);
    const isRoot = s.span.parentSpanId === '';
    if ((isRoot && !rootKnown) || (!rootKnown && (start === undefined || sStart < start))) {
      rootService = s.service;
      rootName = s.span.name;
      rootKnown = isRoot;
    }
    if (start === undefined || sStart < start) start = sStart;
    if (end === undefined || sEnd > end) end = sEnd;
    if (s.span.status.code === 2) errors++;
    services[s.service] = (services[s.service] ?? 0) + 1;
  }
  const startNs = start ?? 0n;
  const endNs = end ?? startNs;
  return {
    startNs,
    endNs,
    durationNs: endNs > startNs ? endNs - startNs : 0n,
    rootService,
    rootName,
    rootKnown,
    spanCount: (existing ? Number(existing.span_count) : 0) + spans.length,
    errorCount: errors,
    servicesJson: JSON.stringify(services),
  };
}
