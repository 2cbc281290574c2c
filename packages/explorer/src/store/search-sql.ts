/**
 * Builds the pieces of a search statement from a SearchQuery. Every value is a
 * bound parameter; only fixed SQL fragments are concatenated.
 *
 * Each filter becomes a *probe*: a condition on one trace (`t`), checked
 * through the `*_tseq` indexes, whose cost follows that trace's size. Filters
 * an index can answer directly also offer a *driver*: the traces that may
 * match, read from an index range (a superset: probes still decide). The plan
 * (search-plan.ts) counts a driver's range before using it, so no statement
 * reads an unbounded range.
 */
import type { AttrFilter, SearchQuery } from './store.ts';
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
  /** The probe every trace of the range satisfies by construction: when this driver is used, that probe need not run. */
  covers?: Clause;
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
 * An attribute condition on (key, value) holds for a trace when one of its
 * spans (attrs) or one of its resources (resource_attrs via trace_resources)
 * satisfies it. `cond` appears twice, so its parameters are bound twice.
 */
function attrProbe(cond: string, values: Param[], negate: boolean): Clause {
  return {
    sql: `${negate ? 'NOT ' : ''}(EXISTS (SELECT 1 FROM attrs x WHERE x.tseq = t.tseq AND ${cond})
      OR EXISTS (SELECT 1 FROM trace_resources r JOIN resource_attrs x ON x.rid = r.rid WHERE r.tseq = t.tseq AND ${cond}))`,
    params: [...values, ...values],
  };
}

/** Traces holding an attribute in the primary-key range `cond` (on key, then value), on a span or a resource. */
function attrDriver(cond: string, values: Param[]): Driver {
  return {
    sql: `SELECT tseq FROM attrs WHERE ${cond}
      UNION ALL SELECT r.tseq FROM resource_attrs x JOIN trace_resources r ON r.rid = x.rid WHERE ${cond.replace(/\b(key|value)\b/g, 'x.$1')}`,
    params: [...values, ...values],
  };
}

function attrPieces(f: AttrFilter): { probe: Clause; driver?: Driver } {
  const pieces = attrPiecesOf(f);
  // eq, prefix and exists ranges hold exactly the traces their probe accepts; ne's key range is a superset.
  if (pieces.driver && f.op !== 'ne') pieces.driver.covers = pieces.probe;
  return pieces;
}

function attrPiecesOf(f: AttrFilter): { probe: Clause; driver?: Driver } {
  switch (f.op) {
    case 'eq': {
      const v = [f.key, f.value.slice(0, INDEXED_VALUE_CHARS)];
      return { probe: attrProbe('key = ? AND value = ?', v, false), driver: attrDriver('key = ? AND value = ?', v) };
    }
    case 'prefix': {
      // A range on the primary key instead of LIKE/GLOB: case-sensitive and index-friendly.
      const v = [f.key, f.value, `${f.value}\u{10FFFF}`];
      return { probe: attrProbe('key = ? AND value >= ? AND value < ?', v, false), driver: attrDriver('key = ? AND value >= ? AND value < ?', v) };
    }
    case 'ne':
      // Every trace holding the key is a candidate: the key's range bounds them.
      return { probe: attrProbe('key = ? AND value <> ?', [f.key, f.value.slice(0, INDEXED_VALUE_CHARS)], false), driver: attrDriver('key = ?', [f.key]) };
    case 'exists':
      return { probe: attrProbe('key = ?', [f.key], false), driver: attrDriver('key = ?', [f.key]) };
    case 'absent':
      return { probe: attrProbe('key = ?', [f.key], true) };
  }
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
  const driver: Driver = { sql: `SELECT tseq FROM trace_ops WHERE ${cond.slice(0, n).join(' AND ')}`, params: params.slice(0, n) };
  // Without a kind after a skipped operation the range holds exactly the traces the operations probe accepts.
  if (n === cond.length && probes[0]) driver.covers = probes[0];
  return { probes, driver };
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
