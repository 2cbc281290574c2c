/**
 * Runs a search with bounded work. better-sqlite3 runs each statement to the
 * end on the event-loop thread and SQLite has no budget of its own, so every
 * statement here reads a range whose size was bounded first:
 *
 * - a *driver* (search-sql.ts): the filter whose index range holds the fewest
 *   traces, counted up to the budget; when one holds at most `budget`, its
 *   traces are the candidates, probed against every filter and sorted: exact.
 * - otherwise the *scope*: the newest `budget` traces of the time window,
 *   walked through `traces_start`. When the window holds no more, exact. When
 *   it holds more, a newest-first page that fills within the scope is still
 *   right (its total a lower bound); anything else would be a guess, so the
 *   search answers QueryBudgetError, saying how to narrow it.
 *
 * The budget is in trace probes: `scanTraces` divided by the number of
 * filters, since each probed trace costs about one index lookup per filter.
 */
import type Database from 'better-sqlite3';
import { type BuiltSearch, type Clause, buildSearch, where } from './search-sql.ts';
import { QueryBudgetError, type SearchQuery, type SearchResult } from './store.ts';

export interface SearchLimits {
  countCap: number;
  scanTraces: number;
}

export interface SummaryRow {
  trace_id: string;
  start_ns: bigint;
  duration_ns: bigint;
  root_service: string;
  root_name: string;
  root_known: bigint;
  span_count: bigint;
  error_count: bigint;
  services: string;
}

const COLUMNS = 't.trace_id, t.start_ns, t.duration_ns, t.root_service, t.root_name, t.root_known, t.span_count, t.error_count, t.services';
const BY_START = 'traces t INDEXED BY traces_start';

interface Source {
  from: string;
  clauses: Clause[];
}

function countUpTo(db: Database.Database, src: Source, max: number): number {
  const w = where(src.clauses);
  return (db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${src.from} ${w.sql} LIMIT ?)`).get(...w.params, max) as { n: number }).n;
}

function page(db: Database.Database, src: Source, orderBy: string, q: SearchQuery): SummaryRow[] {
  const w = where(src.clauses);
  return db
    .prepare(`SELECT ${COLUMNS} FROM ${src.from} ${w.sql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
    .safeIntegers(true)
    .all(...w.params, q.limit, q.offset) as SummaryRow[];
}

/**
 * The driver with the fewest candidates, if one has at most `budget`. Every
 * driver is counted up to a bound that grows by 8x until one fits, so finding
 * the smallest reads about (drivers x its size x 8) index entries instead of
 * `budget` for each unselective one (a service's traces, say, next to one
 * operation's).
 */
function pickDriver(db: Database.Database, built: BuiltSearch, budget: number): { clause: Clause; covers?: Clause } | undefined {
  const counts = built.drivers.map((d) => ({ d, stmt: db.prepare(`SELECT count(*) AS n FROM (${d.sql} LIMIT ?)`) }));
  for (let bound = Math.min(1024, budget); ; bound = Math.min(bound * 8, budget)) {
    let best: { d: (typeof built.drivers)[number]; n: number } | undefined;
    for (const { d, stmt } of counts) {
      const n = (stmt.get(...d.params, (best?.n ?? bound) + 1) as { n: number }).n;
      if (n <= (best?.n ?? bound)) best = { d, n };
    }
    if (best) return { clause: { sql: `t.tseq IN (${best.d.sql})`, params: best.d.params }, ...(best.d.covers ? { covers: best.d.covers } : {}) };
    if (bound >= budget) return undefined;
  }
}

/**
 * Limits the window to traces that started after the newest trace beyond the
 * newest `budget`: at most `budget` traces (fewer when starts tie at the
 * edge: a bound on (start, tseq) would still read every tied trace, and a
 * client chooses its start times). Undefined when the window holds no more.
 */
function scopeEdge(db: Database.Database, built: BuiltSearch, budget: number): Clause | undefined {
  const w = where(built.window);
  const edge = db
    .prepare(`SELECT t.start_ns AS s FROM ${BY_START} ${w.sql} ORDER BY t.start_ns DESC, t.tseq DESC LIMIT 1 OFFSET ?`)
    .safeIntegers(true)
    .get(...w.params, budget) as { s: bigint } | undefined;
  return edge && { sql: 't.start_ns > ?', params: [edge.s] };
}

/** The refusal both embedded stores give a search over budget, saying how to narrow it. */
export function tooMuch(q: SearchQuery, budget: number): QueryBudgetError {
  const why =
    q.sort === 'recent'
      ? `no page of matches was found among the newest ${budget.toLocaleString('en-US')} traces of the time range`
      : `sorting by ${q.sort === 'longest' ? 'duration' : 'span count'} needs every trace of the time range, and it holds more than ${budget.toLocaleString('en-US')}`;
  return new QueryBudgetError(
    `this search would take too long: ${why}. Narrow the time range, or add a selective filter (service, operation, or an attribute = value).`,
    budget,
  );
}

function totals(n: number, rows: SummaryRow[], q: SearchQuery, countCap: number, exact: boolean): Omit<SearchResult, 'traces'> {
  if (exact && n <= countCap) return { total: n, totalCapped: false };
  // A short page is the last one, so the total is known after all.
  if (exact && rows.length > 0 && rows.length < q.limit) return { total: q.offset + rows.length, totalCapped: false };
  // Otherwise a lower bound, never below what the pages so far have shown.
  return { total: Math.max(Math.min(n, countCap), q.offset + rows.length), totalCapped: true };
}

export function runSearch(db: Database.Database, q: SearchQuery, limits: SearchLimits): { rows: SummaryRow[] } & Omit<SearchResult, 'traces'> {
  const built = buildSearch(q);
  const cap = limits.countCap;
  const all = [...built.window, ...built.probes];
  // No filter and newest first: the count stops at the cap and the page walk at offset + limit.
  if (built.probes.length === 0 && q.sort === 'recent') {
    const src = { from: BY_START, clauses: all };
    const rows = page(db, src, built.orderBy, q);
    return { rows, ...totals(countUpTo(db, src, cap + 1), rows, q, cap, true) };
  }
  const budget = Math.max(1, Math.floor(limits.scanTraces / Math.max(1, built.probes.length)));
  const driver = pickDriver(db, built, budget);
  if (driver) {
    // NOT INDEXED: the candidates come from the driver through the rowid, never from a walk of the window.
    // The probe the driver's range already guarantees is left out: one index lookup less per candidate.
    const src = { from: 'traces t NOT INDEXED', clauses: [driver.clause, ...all.filter((c) => c !== driver.covers)] };
    const n = countUpTo(db, src, cap + 1);
    if (n > cap && q.sort === 'recent') {
      // Many matches: a newest-first walk usually fills the page long before the scope ends.
      const edge = scopeEdge(db, built, budget);
      const rows = page(db, { from: BY_START, clauses: edge ? [edge, ...all] : all }, built.orderBy, q);
      if (rows.length === q.limit || !edge) return { rows, ...totals(n, rows, q, cap, true) };
    }
    const rows = page(db, src, built.orderBy, q);
    return { rows, ...totals(n, rows, q, cap, true) };
  }
  const edge = scopeEdge(db, built, budget);
  if (edge && q.sort !== 'recent') throw tooMuch(q, budget);
  const src = { from: BY_START, clauses: edge ? [edge, ...all] : all };
  const rows = page(db, src, built.orderBy, q);
  if (edge && rows.length < q.limit) throw tooMuch(q, budget);
  return { rows, ...totals(countUpTo(db, src, cap + 1), rows, q, cap, !edge) };
}
