/** A trace in numbers: when it ran, how many spans, errors and which services. */
import type { TraceSpan } from './types.ts';

export interface ServiceSpanCount {
  name: string;
  spanCount: number;
}

export interface TraceSummary {
  /** Earliest start and latest end, epoch ns (0 for an empty trace). */
  startNs: bigint;
  endNs: bigint;
  durationNs: bigint;
  spanCount: number;
  errorCount: number;
  /** Most spans first, then by name. */
  services: ServiceSpanCount[];
}

function toBig(ns: string): bigint | undefined {
  try {
    return BigInt(ns);
  } catch {
    return undefined;
  }
}

/** One pass over the spans (plus sorting the services). */
export function summarize(spans: readonly TraceSpan[]): TraceSummary {
  let min: bigint | undefined;
  let max: bigint | undefined;
  let errorCount = 0;
  const services = new Map<string, number>();
  for (const s of spans) {
    const start = toBig(s.startNs);
    const end = toBig(s.endNs);
    if (start !== undefined && (min === undefined || start < min)) min = start;
    if (end !== undefined && (max === undefined || end > max)) max = end;
    if (s.status.code === 'ERROR') errorCount++;
    services.set(s.service, (services.get(s.service) ?? 0) + 1);
  }
  const startNs = min ?? 0n;
  const endNs = max ?? startNs;
  return {
    startNs,
    endNs,
    durationNs: endNs > startNs ? endNs - startNs : 0n,
    spanCount: spans.length,
    errorCount,
    services: [...services]
      .map(([name, spanCount]) => ({ name, spanCount }))
      .sort((a, b) => b.spanCount - a.spanCount || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}
