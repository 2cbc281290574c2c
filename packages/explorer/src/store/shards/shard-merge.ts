/**
 * One answer from the answers of every shard. Each shard sorts its own traces as the store
 * contract says; the merge keeps that order across shards. Ties the contract breaks by
 * arrival ('recent' sort, equal start times) are broken by shard, which knows no arrival
 * order across shards.
 */
import type { StoredSpan } from '../../model.ts';
import { type OperationInfo, type RequestWriteResult, type SearchQuery, type SearchResult, type TraceSummary, type WriteResult, compareOperations } from '../store.ts';

export function mergeWrites(results: readonly WriteResult[]): WriteResult {
  const messages: string[] = [];
  let rejected = 0;
  for (const r of results) {
    rejected += r.rejected;
    for (const m of r.messages) if (!messages.includes(m)) messages.push(m);
  }
  return { rejected, messages };
}

export function mergeRequestWrites(results: readonly RequestWriteResult[]): RequestWriteResult {
  const traceIds = new Set<string>();
  for (const r of results) for (const id of r.traceIds) traceIds.add(id);
  return { ...mergeWrites(results), spans: results.reduce((n, r) => n + r.spans, 0), traceIds };
}

const byStart = (a: TraceSummary, b: TraceSummary): number => (a.startNs === b.startNs ? 0 : a.startNs > b.startNs ? -1 : 1);

function compare(sort: SearchQuery['sort']): (a: TraceSummary, b: TraceSummary) => number {
  if (sort === 'longest') return (a, b) => (a.durationNs === b.durationNs ? byStart(a, b) : a.durationNs > b.durationNs ? -1 : 1);
  if (sort === 'spans') return (a, b) => b.spanCount - a.spanCount || byStart(a, b);
  return byStart;
}

/**
 * `pages`: each shard's answer to the query from offset 0 with limit offset + limit. Counts add
 * up; a shard that stopped counting at the cap makes the total a lower bound, as does a sum past
 * the cap (SearchResult's contract for one store, kept for the whole).
 */
export function mergeSearch(pages: readonly SearchResult[], q: SearchQuery, countCap: number): SearchResult {
  const order = compare(q.sort);
  // Array.prototype.sort is stable: equal traces stay in shard order.
  const traces = pages
    .flatMap((p) => p.traces)
    .sort(order)
    .slice(q.offset, q.offset + q.limit);
  const sum = pages.reduce((n, p) => n + p.total, 0);
  const capped = pages.some((p) => p.totalCapped);
  if (!capped && (sum <= countCap || q.offset + traces.length >= sum)) return { total: sum, totalCapped: false, traces };
  return { total: Math.max(Math.min(sum, countCap), q.offset + traces.length), totalCapped: true, traces };
}

const opKey = (o: OperationInfo): string => `${o.service}\u0000${o.name}\u0000${o.kind}`;

/** Distinct operations, ordered by service, name, kind (the store contract's order). */
export function mergeOperations(lists: readonly OperationInfo[][]): OperationInfo[] {
  const ops = new Map<string, OperationInfo>();
  for (const list of lists) for (const o of list) if (!ops.has(opKey(o))) ops.set(opKey(o), o);
  return [...ops.values()].sort(compareOperations);
}

function startOf(trace: StoredSpan[]): bigint {
  let min: bigint | undefined;
  for (const s of trace) {
    const t = BigInt(s.span.startTimeUnixNano);
    if (min === undefined || t < min) min = t;
  }
  return min ?? 0n;
}

/** The newest `max` traces of every shard's newest, by start. */
export function mergeRecent(lists: readonly StoredSpan[][][], max: number): StoredSpan[][] {
  return lists
    .flat()
    .map((trace) => ({ trace, start: startOf(trace) }))
    .sort((a, b) => (a.start === b.start ? 0 : a.start > b.start ? -1 : 1))
    .slice(0, max)
    .map((t) => t.trace);
}
