/**
 * Builds the pieces of a search statement from a SearchQuery. Every value is a
 * bound parameter; only fixed SQL fragments are concatenated.
 *
 * Each filter becomes a *probe*: a condition on one trace (`t`), checked
 * through the `*_tseq` indexes (attributes: the trace's chunks' `kv`),
 * whose cost follows that trace's size. Filters
 * an index can answer directly also offer a *driver*: the traces that may
 * match, read from an index range (a superset: probes still decide). The plan
 * (search-plan.ts) counts a driver's range before using it, so no statement
 * reads an unbounded range.
 */
import type { AttrFilter, SearchQuery } from './store.ts';
import { keyMatch, pairMatch, pairNeedle, prefixNeedle } from './attr-index.ts';
import { INDEXED_VALUE_CHARS } from './schema.ts';

type Param = string | number | bigint;

export interface Clause {
  sql: string;
  params: Param[];
}

/** Traces that may satisfy a filter: `sql` selects `tseq` (with repeats) from one index range. */
export interface Driver {
  sql: string;
  params: Param[];
}

export interface BuiltSearch {
  /** Conditions on trace `t`, all to hold. */
  probes: Clause[];
  /** The time window alone (the `traces_start` range). */
  window: Clause[];
  drivers: Driver[];
  orderBy: string;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `cond` selects the trace's operations (trace_ops rows). */
function opsProbe(cond: string, params: Param[]): Clause {
  return { sql: `EXISTS (SELECT 1 FROM trace_ops x WHERE x.tseq = t.tseq AND ${cond})`, params };
}

/**
 * Where an attribute condition is looked up. A trace holds a pair when one of
 * its chunks does (`kv`, schema 5 on, attr-index.ts), one of its resources
 * does (resource_attrs via trace_resources), or, for what older versions
 * wrote, its `attrs` rows do.
 */
interface AttrLookup {
  /** Condition on `c.kv` (a chunk of the trace). */
  kv: Clause;
  /** Condition on `key` / `value` (attrs and resource_attrs), as a primary-key range. */
  rows: Clause;
  /** FTS5 MATCH expression over attr_terms: every chunk that may hold the pair. */
  match: string;
}

function attrProbe(l: AttrLookup, negate: boolean): Clause {
  return {
    sql: `${negate ? 'NOT ' : ''}(EXISTS (SELECT 1 FROM chunks c WHERE c.tseq = t.tseq AND ${l.kv.sql})
      OR EXISTS (SELECT 1 FROM trace_resources r JOIN resource_attrs x ON x.rid = r.rid WHERE r.tseq = t.tseq AND ${l.rows.sql})
      OR EXISTS (SELECT 1 FROM attrs x WHERE x.tseq = t.tseq AND ${l.rows.sql}))`,
    params: [...l.kv.params, ...l.rows.params, ...l.rows.params],
  };
}

/** Traces that may hold the pair: one FTS5 posting list, resources, and the rows older versions wrote. */
function attrDriver(l: AttrLookup): Driver {
  const { sql, params } = l.rows;
  return {
    sql: `SELECT tseq FROM chunks WHERE rowid IN (SELECT rowid FROM attr_terms WHERE attr_terms MATCH ?)
      UNION ALL SELECT r.tseq FROM resource_attrs x JOIN trace_resources r ON r.rid = x.rid WHERE ${sql.replace(/\b(key|value)\b/g, 'x.$1')}
      UNION ALL SELECT tseq FROM attrs WHERE ${sql}`,
    params: [l.match, ...params, ...params],
  };
}

const V = INDEXED_VALUE_CHARS;

function attrPieces(f: AttrFilter): { probe: Clause; driver?: Driver } {
  switch (f.op) {
    case 'eq': {
      const v = f.value.slice(0, V);
      const l = { kv: { sql: 'instr(c.kv, ?) > 0', params: [pairNeedle(f.key, v, V)] }, rows: { sql: 'key = ? AND value = ?', params: [f.key, v] }, match: pairMatch(f.key, v, V) };
      return { probe: attrProbe(l, false), driver: attrDriver(l) };
    }
    case 'prefix': {
      // A range on the primary key instead of LIKE/GLOB: case-sensitive and index-friendly. The
      // driver is every chunk holding the key: an FTS5 prefix query would merge the posting lists
      // of every matching value before returning one row, unbounded work.
      const rows = { sql: 'key = ? AND value >= ? AND value < ?', params: [f.key, f.value, `${f.value}\u{10FFFF}`] };
      const l = { kv: { sql: 'instr(c.kv, ?) > 0', params: [prefixNeedle(f.key, f.value, V)] }, rows, match: keyMatch(f.key) };
      return { probe: attrProbe(l, false), driver: attrDriver(l) };
    }
    case 'ne': {
      // Every trace holding the key is a candidate: the key's range bounds them.
      const v = f.value.slice(0, V);
      const probe = attrProbe({ kv: { sql: 'tw_kv_ne(c.kv, ?, ?) = 1', params: [f.key, v] }, rows: { sql: 'key = ? AND value <> ?', params: [f.key, v] }, match: '' }, false);
      return { probe, driver: attrDriver(keyLookup(f.key)) };
    }
    case 'exists': {
      const l = keyLookup(f.key);
      return { probe: attrProbe(l, false), driver: attrDriver(l) };
    }
    case 'absent':
      return { probe: attrProbe(keyLookup(f.key), true) };
  }
}

function keyLookup(key: string): AttrLookup {
  return { kv: { sql: 'instr(c.kv, ?) > 0', params: [prefixNeedle(key, '', V)] }, rows: { sql: 'key = ?', params: [key] }, match: keyMatch(key) };
}

function windowOf(q: SearchQuery): Clause[] {
  const out: Clause[] = [];
  if (q.startNs !== undefined) out.push({ sql: 't.start_ns >= ?', params: [q.startNs] });
  if (q.endNs !== undefined) out.push({ sql: 't.start_ns <= ?', params: [q.endNs] });
  return out;
}

function opsPieces(q: SearchQuery): { probes: Clause[]; driver?: Driver } {
  const cond: string[] = [];
  const params: Param[] = [];
  if (q.service !== undefined) (cond.push('service = ?'), params.push(q.service));
  if (q.operation !== undefined) (cond.push('name = ?'), params.push(q.operation));
  if (q.kind !== undefined) (cond.push('kind = ?'), params.push(q.kind));
  const probes = cond.length ? [opsProbe(cond.join(' AND '), params)] : [];
  if (q.text !== undefined && q.text !== '') probes.push(opsProbe("name LIKE ? ESCAPE '\\'", [`%${likeEscape(q.text)}%`]));
  // trace_ops' key is (service, name, kind, tseq): a range only from the service on, as far as the fields given reach.
  if (q.service === undefined) return { probes };
  const n = q.operation === undefined ? 1 : q.kind === undefined ? 2 : 3;
  return { probes, driver: { sql: `SELECT tseq FROM trace_ops WHERE ${cond.slice(0, n).join(' AND ')}`, params: params.slice(0, n) } };
}

export function buildSearch(q: SearchQuery): BuiltSearch {
  const probes: Clause[] = [];
  const drivers: Driver[] = [];
  if (q.minDurationNs !== undefined) probes.push({ sql: 't.duration_ns >= ?', params: [q.minDurationNs] });
  if (q.maxDurationNs !== undefined) probes.push({ sql: 't.duration_ns <= ?', params: [q.maxDurationNs] });
  if (q.errorsOnly) probes.push({ sql: 't.error_count > 0', params: [] });
  const ops = opsPieces(q);
  probes.push(...ops.probes);
  if (ops.driver) drivers.push(ops.driver);
  for (const f of q.attrs) {
    const p = attrPieces(f);
    probes.push(p.probe);
    if (p.driver) drivers.push(p.driver);
  }
  // 'recent' is exactly the order of the traces_start index read backwards (its entries are (start_ns, tseq)).
  const orderBy =
    q.sort === 'longest'
      ? 't.duration_ns DESC, t.start_ns DESC'
      : q.sort === 'spans'
        ? 't.span_count DESC, t.start_ns DESC'
        : 't.start_ns DESC, t.tseq DESC';
  return { probes, window: windowOf(q), drivers, orderBy };
}

/** `WHERE a AND b ...` with its parameters in order; empty when no clause. */
export function where(clauses: Clause[]): { sql: string; params: Param[] } {
  if (!clauses.length) return { sql: '', params: [] };
  return { sql: `WHERE ${clauses.map((c) => c.sql).join(' AND ')}`, params: clauses.flatMap((c) => c.params) };
}
