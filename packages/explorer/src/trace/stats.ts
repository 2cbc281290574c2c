/**
 * Trace statistics: per service, or per operation (service + span name),
 * how many spans, how long in total, how much of it was self time, the
 * longest one and how many failed. Like Jaeger UI's "Trace Statistics" view.
 * One pass over the tree plus one self-time computation per span.
 */
import { selfTimeNs } from './self-time.ts';
import type { SpanTree, TraceSpan } from './types.ts';

export type StatsGrouping = 'service' | 'operation';

export interface StatsRow {
  service: string;
  /** The span name; null when grouped by service. */
  operation: string | null;
  count: number;
  /** Sum of span durations, ns (concurrent spans both count, so this can exceed the trace). */
  totalNs: number;
  /** Sum of self times, ns: this never exceeds the spans' time on their own threads. */
  selfNs: number;
  maxNs: number;
  errors: number;
}

export interface TraceStats {
  rows: StatsRow[];
  /** Sum of every span's self time, the 100 % of the "self %" column. */
  selfTotalNs: number;
}

/**
 * @example
 * traceStats(buildTree(view.spans), 'operation').rows[0]; // { service: 'shop', operation: 'GET /cart', count: 3, ... }
 */
export function traceStats<S extends TraceSpan>(tree: SpanTree<S>, by: StatsGrouping): TraceStats {
  const groups = new Map<string, StatsRow>();
  let selfTotalNs = 0;
  for (const node of tree.preorder) {
    const { service, name } = node.span;
    const key = by === 'service' ? service : `${service}\u0000${name}`;
    let row = groups.get(key);
    if (!row) {
      row = { service, operation: by === 'service' ? null : name, count: 0, totalNs: 0, selfNs: 0, maxNs: 0, errors: 0 };
      groups.set(key, row);
    }
    const self = selfTimeNs(node);
    row.count++;
    row.totalNs += node.durationNs;
    row.selfNs += self;
    row.maxNs = Math.max(row.maxNs, node.durationNs);
    if (node.isError) row.errors++;
    selfTotalNs += self;
  }
  return { rows: sortStats([...groups.values()], 'selfNs', 'desc'), selfTotalNs };
}

export type StatsColumn = 'service' | 'operation' | 'count' | 'totalNs' | 'avgNs' | 'maxNs' | 'selfNs' | 'errors';

function value(row: StatsRow, col: StatsColumn): number | string {
  if (col === 'avgNs') return row.count > 0 ? row.totalNs / row.count : 0;
  if (col === 'operation') return row.operation ?? '';
  return row[col];
}

/** A sorted copy; ties fall back to service then operation so the order is stable. */
export function sortStats(rows: readonly StatsRow[], col: StatsColumn, dir: 'asc' | 'desc'): StatsRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort(
    (a, b) => sign * cmp(value(a, col), value(b, col)) || cmp(a.service, b.service) || cmp(a.operation ?? '', b.operation ?? ''),
  );
}
