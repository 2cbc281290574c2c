/**
 * Search over segments, with the SQLite store's semantics and bounds
 * (search-plan.ts): every filter is a condition on one trace; the smallest
 * filter's traces (a *driver*, read from posting lists) are the candidates,
 * checked against the others by binary search. At most `scanTraces`
 * candidates are examined: beyond that a newest-first page is still answered
 * from the newest `scanTraces` traces of the window when it fills there (its
 * total then a lower bound); any other search answers QueryBudgetError.
 */
import type { SearchQuery, SearchResult, TraceSummary } from '../store.ts';
import { tooMuch } from '../search-plan.ts';
import type { SegmentIndex } from './segment-index.ts';

export interface SearchLimits {
  countCap: number;
  scanTraces: number;
}

/** One segment as search sees it: `seq` orders segments by creation (a later trace arrived later). */
export interface SearchSegment {
  seq: number;
  index: SegmentIndex;
}

/** Whether trace `o` holds `key` with a value other than `value` (the postings cannot tell when it also holds `value`). */
export type VerifyNotEqual = (seg: SearchSegment, o: number, key: string, value: string) => Promise<boolean>;

/** Traces in any of the lists (each ascending). */
type AnyOf = ReadonlyArray<ArrayLike<number>>;

interface Condition {
  /** The traces satisfying it are among these; undefined when it cannot drive (absent). */
  within?: AnyOf;
  /** Decides one candidate; `within` membership is checked by the caller. */
  check?: (o: number) => boolean | Promise<boolean>;
}

interface Hit {
  seg: SearchSegment;
  o: number;
}

function has(list: ArrayLike<number>, o: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = list[mid] as number;
    if (v === o) return true;
    if (v < o) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

const inAny = (lists: AnyOf, o: number) => lists.some((l) => has(l, o));
const sizeOf = (lists: AnyOf) => lists.reduce((n, l) => n + l.length, 0);

/** Ascending union without repeats. */
function union(lists: AnyOf): ArrayLike<number> {
  if (lists.length === 1) return lists[0] as ArrayLike<number>;
  const all: number[] = [];
  for (const l of lists) for (let i = 0; i < l.length; i++) all.push(l[i] as number);
  all.sort((a, b) => a - b);
  return all.filter((v, i) => i === 0 || v !== all[i - 1]);
}

function opsConditions(q: SearchQuery, idx: SegmentIndex): Condition[] {
  const out: Condition[] = [];
  if (q.service !== undefined || q.operation !== undefined || q.kind !== undefined) {
    const lists: Array<ArrayLike<number>> = [];
    for (const [term, op] of idx.ops) {
      if (q.service !== undefined && op.service !== q.service) continue;
      if (q.operation !== undefined && op.name !== q.operation) continue;
      if (q.kind !== undefined && op.kind !== q.kind) continue;
      lists.push(idx.opPosting(term));
    }
    out.push({ within: lists });
  }
  if (q.text !== undefined && q.text !== '') {
    const text = q.text.toLowerCase();
    const lists: Array<ArrayLike<number>> = [];
    for (const [term, op] of idx.ops) if (op.name.toLowerCase().includes(text)) lists.push(idx.opPosting(term));
    out.push({ within: lists });
  }
  return out;
}

function attrConditions(q: SearchQuery, seg: SearchSegment, verify: VerifyNotEqual): Condition[] {
  const idx = seg.index;
  return q.attrs.map((f): Condition => {
    switch (f.op) {
      case 'eq':
        return { within: [idx.pairPosting(f.key, f.value)] };
      case 'exists':
        return { within: [idx.keyPosting(f.key)] };
      case 'absent': {
        const holders = idx.keyPosting(f.key);
        return { check: (o) => !has(holders, o) };
      }
      case 'prefix': {
        const lists: Array<ArrayLike<number>> = [];
        for (const v of idx.valuesOf(f.key)) if (v.startsWith(f.value)) lists.push(idx.pairPosting(f.key, v));
        return { within: lists };
      }
      case 'ne': {
        const excluded = idx.pairPosting(f.key, f.value);
        // Only a trace holding the excluded value needs its spans read, and only if the key has other values at all.
        const onlyValue = idx.valueCount(f.key) === 1 && excluded.length > 0;
        return {
          within: [idx.keyPosting(f.key)],
          check: (o) => !has(excluded, o) || (!onlyValue && verify(seg, o, f.key, f.value)),
        };
      }
    }
  });
}

function traceConditions(q: SearchQuery, idx: SegmentIndex): Condition[] {
  const out: Condition[] = [];
  if (q.startNs !== undefined || q.endNs !== undefined) {
    const from = q.startNs;
    const to = q.endNs;
    out.push({ check: (o) => (from === undefined || (idx.start[o] as bigint) >= from) && (to === undefined || (idx.start[o] as bigint) <= to) });
  }
  if (q.minDurationNs !== undefined) {
    const min = q.minDurationNs;
    out.push({ check: (o) => idx.durationNs(o) >= min });
  }
  if (q.maxDurationNs !== undefined) {
    const max = q.maxDurationNs;
    out.push({ check: (o) => idx.durationNs(o) <= max });
  }
  if (q.errorsOnly) out.push({ check: (o) => (idx.errorCount[o] as number) > 0 });
  return out;
}

/** A segment's conditions, and the candidates to examine (undefined: every trace). */
interface Plan {
  seg: SearchSegment;
  conditions: Condition[];
  driver?: ArrayLike<number>;
  candidates: number;
}

function outsideWindow(q: SearchQuery, idx: SegmentIndex): boolean {
  if (idx.minStartNs === undefined || idx.maxStartNs === undefined) return true;
  return (q.startNs !== undefined && idx.maxStartNs < q.startNs) || (q.endNs !== undefined && idx.minStartNs > q.endNs);
}

function plan(q: SearchQuery, seg: SearchSegment, verify: VerifyNotEqual): Plan | undefined {
  const idx = seg.index;
  if (outsideWindow(q, idx)) return undefined;
  const conditions = [...opsConditions(q, idx), ...attrConditions(q, seg, verify), ...traceConditions(q, idx)];
  let best: AnyOf | undefined;
  for (const c of conditions) if (c.within && (!best || sizeOf(c.within) < sizeOf(best))) best = c.within;
  if (best && sizeOf(best) === 0) return undefined;
  if (!best) return { seg, conditions, candidates: idx.traceCount };
  const driver = union(best);
  return { seg, conditions, driver, candidates: driver.length };
}

/** Synchronous unless a condition has to read spans (`!=`): a microtask per candidate would cost more than the check. */
function matches(p: Plan, o: number, from = 0): boolean | Promise<boolean> {
  for (let i = from; i < p.conditions.length; i++) {
    const c = p.conditions[i] as Condition;
    if (c.within && (p.driver === undefined || c.within.length !== 1 || c.within[0] !== p.driver) && !inAny(c.within, o)) return false;
    if (!c.check) continue;
    const r = c.check(o);
    if (r === false) return false;
    if (r !== true) return r.then((ok) => ok && matches(p, o, i + 1));
  }
  return true;
}

const holds = async (m: boolean | Promise<boolean>) => (typeof m === 'boolean' ? m : await m);

function compare(sort: SearchQuery['sort']): (a: Hit, b: Hit) => number {
  const byStart = (a: Hit, b: Hit) => {
    const sa = a.seg.index.start[a.o] as bigint;
    const sb = b.seg.index.start[b.o] as bigint;
    if (sa !== sb) return sa > sb ? -1 : 1;
    return b.seg.seq - a.seg.seq || b.o - a.o;
  };
  if (sort === 'longest') {
    return (a, b) => {
      const da = a.seg.index.durationNs(a.o);
      const db = b.seg.index.durationNs(b.o);
      return da !== db ? (da > db ? -1 : 1) : byStart(a, b);
    };
  }
  if (sort === 'spans') return (a, b) => (b.seg.index.spanCount[b.o] as number) - (a.seg.index.spanCount[a.o] as number) || byStart(a, b);
  return byStart;
}

/** Newest-first order of a segment's traces, cached until the segment changes. */
const byStartCache = new WeakMap<SegmentIndex, { version: number; order: Int32Array }>();

function newestFirst(idx: SegmentIndex): Int32Array {
  const cached = byStartCache.get(idx);
  if (cached && cached.version === idx.version) return cached.order;
  const order = new Int32Array(idx.traceCount);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const ms = idx.startMs;
  order.sort((a, b) => (ms[b] as number) - (ms[a] as number) || ((idx.start[b] as bigint) > (idx.start[a] as bigint) ? 1 : (idx.start[b] as bigint) < (idx.start[a] as bigint) ? -1 : b - a));
  byStartCache.set(idx, { version: idx.version, order });
  return order;
}

function result(hits: Hit[], q: SearchQuery, limits: SearchLimits, exact: boolean): SearchResult {
  const page = hits.slice(q.offset, q.offset + q.limit);
  const traces: TraceSummary[] = page.map((h) => h.seg.index.summary(h.o));
  const n = hits.length;
  if (exact && (n <= limits.countCap || q.offset + traces.length >= n)) return { total: n, totalCapped: false, traces };
  return { total: Math.max(Math.min(n, limits.countCap), q.offset + traces.length), totalCapped: true, traces };
}

/** Every candidate of every plan, examined: the exact answer. */
async function examineAll(plans: Plan[], q: SearchQuery, limits: SearchLimits): Promise<SearchResult> {
  const hits: Hit[] = [];
  for (const p of plans) {
    const n = p.driver ? p.driver.length : p.candidates;
    for (let i = 0; i < n; i++) {
      const o = p.driver ? (p.driver[i] as number) : i;
      const m = matches(p, o);
      if (m === true || (m !== false && (await holds(m)))) hits.push({ seg: p.seg, o });
    }
  }
  hits.sort(compare(q.sort));
  return result(hits, q, limits, true);
}

/** The newest `scanTraces` traces of the window, across segments by start; the page, if it fills there. */
async function newestWithinBudget(plans: Plan[], q: SearchQuery, limits: SearchLimits): Promise<SearchResult> {
  const walkers = plans.map((p) => ({ p, order: newestFirst(p.seg.index), at: 0, inDriver: p.driver ? marks(p.driver, p.seg.index.traceCount) : undefined }));
  const hits: Hit[] = [];
  let examined = 0;
  while (examined < limits.scanTraces && hits.length < limits.countCap) {
    let best: (typeof walkers)[number] | undefined;
    for (const w of walkers) {
      if (w.at >= w.order.length) continue;
      if (!best || compareHeads(w, best) < 0) best = w;
    }
    if (!best) return result(hits, q, limits, true);
    const o = best.order[best.at++] as number;
    const inWindow = q.startNs === undefined || (best.p.seg.index.start[o] as bigint) >= q.startNs;
    if (!inWindow) {
      best.at = best.order.length;
      continue;
    }
    examined++;
    if (best.inDriver && best.inDriver[o] !== 1) continue;
    const m = matches(best.p, o);
    if (m === true || (m !== false && (await holds(m)))) hits.push({ seg: best.p.seg, o });
  }
  if (hits.length >= q.offset + q.limit) return result(hits, q, limits, false);
  throw tooMuch(q, limits.scanTraces);
}

/** One byte per trace of the segment: 1 where the driver holds it (a Set of a large driver cost more than the walk). */
function marks(driver: ArrayLike<number>, traces: number): Uint8Array {
  const m = new Uint8Array(traces);
  for (let i = 0; i < driver.length; i++) m[driver[i] as number] = 1;
  return m;
}

function compareHeads(a: { p: Plan; order: Int32Array; at: number }, b: { p: Plan; order: Int32Array; at: number }): number {
  const ia = a.p.seg.index;
  const ib = b.p.seg.index;
  const oa = a.order[a.at] as number;
  const ob = b.order[b.at] as number;
  // Milliseconds as doubles decide almost always; the exact nanoseconds only break their ties.
  const ma = ia.startMs[oa] as number;
  const mb = ib.startMs[ob] as number;
  if (ma !== mb) return ma > mb ? -1 : 1;
  const sa = ia.start[oa] as bigint;
  const sb = ib.start[ob] as bigint;
  if (sa !== sb) return sa > sb ? -1 : 1;
  return b.p.seg.seq - a.p.seg.seq;
}

export async function searchSegments(segments: readonly SearchSegment[], q: SearchQuery, limits: SearchLimits, verify: VerifyNotEqual): Promise<SearchResult> {
  const plans = segments.map((s) => plan(q, s, verify)).filter((p): p is Plan => p !== undefined);
  const candidates = plans.reduce((n, p) => n + p.candidates, 0);
  if (candidates <= limits.scanTraces) return examineAll(plans, q, limits);
  if (q.sort === 'recent') return newestWithinBudget(plans, q, limits);
  throw tooMuch(q, limits.scanTraces);
}
