/**
 * Builds the search statement from a SearchQuery. Every value is a bound
 * parameter; only fixed SQL fragments are concatenated.
 *
 * The filters on a trace's operations and attributes come in two forms that
 * select the same traces: `match` (`tseq IN (SELECT ...)`) lets SQLite start
 * from the side tables and look the matches up, which suits counting and
 * sorting few matches; `probe` (`EXISTS (... WHERE tseq = t.tseq)`) checks one
 * trace at a time through the `*_tseq` indexes, which suits walking the
 * traces newest-first and stopping after one page (see SqliteStore.search).
 */
import type { SearchQuery } from './store.ts';
import { INDEXED_VALUE_CHARS } from './schema.ts';

export type FilterForm = 'match' | 'probe';

export interface BuiltSearch {
  where: string;
  params: Array<string | number | bigint>;
  orderBy: string;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `cond` selects the trace's operations (trace_ops rows). */
function opsFilter(form: FilterForm, cond: string): string {
  if (form === 'probe') return `EXISTS (SELECT 1 FROM trace_ops x WHERE x.tseq = t.tseq AND ${cond})`;
  return `t.tseq IN (SELECT tseq FROM trace_ops WHERE ${cond})`;
}

/**
 * An attribute condition on (key, value) holds for a trace when one of its
 * spans (attrs) or one of its resources (resource_attrs via trace_resources)
 * satisfies it. `cond` appears twice, so its parameters are bound twice.
 */
function attrFilter(form: FilterForm, cond: string, negate = false): string {
  if (form === 'probe') {
    return `${negate ? 'NOT ' : ''}(EXISTS (SELECT 1 FROM attrs x WHERE x.tseq = t.tseq AND ${cond})
      OR EXISTS (SELECT 1 FROM trace_resources r JOIN resource_attrs x ON x.rid = r.rid WHERE r.tseq = t.tseq AND ${cond}))`;
  }
  return `t.tseq ${negate ? 'NOT ' : ''}IN (SELECT tseq FROM attrs WHERE ${cond}
    UNION ALL SELECT tseq FROM trace_resources WHERE rid IN (SELECT rid FROM resource_attrs WHERE ${cond}))`;
}

export function buildSearch(q: SearchQuery, form: FilterForm = 'match'): BuiltSearch {
  const clauses: string[] = [];
  const params: Array<string | number | bigint> = [];
  if (q.startNs !== undefined) {
    clauses.push('t.start_ns >= ?');
    params.push(q.startNs);
  }
  if (q.endNs !== undefined) {
    clauses.push('t.start_ns <= ?');
    params.push(q.endNs);
  }
  if (q.minDurationNs !== undefined) {
    clauses.push('t.duration_ns >= ?');
    params.push(q.minDurationNs);
  }
  if (q.maxDurationNs !== undefined) {
    clauses.push('t.duration_ns <= ?');
    params.push(q.maxDurationNs);
  }
  if (q.errorsOnly) clauses.push('t.error_count > 0');

  const op: string[] = [];
  if (q.service !== undefined) {
    op.push('service = ?');
    params.push(q.service);
  }
  if (q.operation !== undefined) {
    op.push('name = ?');
    params.push(q.operation);
  }
  if (q.kind !== undefined) {
    op.push('kind = ?');
    params.push(q.kind);
  }
  if (op.length) clauses.push(opsFilter(form, op.join(' AND ')));
  if (q.text !== undefined && q.text !== '') {
    clauses.push(opsFilter(form, "name LIKE ? ESCAPE '\\'"));
    params.push(`%${likeEscape(q.text)}%`);
  }

  for (const f of q.attrs) {
    const [cond, values, negate] =
      f.op === 'eq'
        ? ['key = ? AND value = ?', [f.key, f.value.slice(0, INDEXED_VALUE_CHARS)], false]
        : f.op === 'ne'
          ? ['key = ? AND value <> ?', [f.key, f.value.slice(0, INDEXED_VALUE_CHARS)], false]
          : f.op === 'prefix'
            ? // A range on the primary key instead of LIKE/GLOB: case-sensitive and index-friendly.
              ['key = ? AND value >= ? AND value < ?', [f.key, f.value, `${f.value}\u{10FFFF}`], false]
            : ['key = ?', [f.key], f.op === 'absent'];
    clauses.push(attrFilter(form, cond, negate));
    params.push(...values, ...values);
  }
  // 'recent' is exactly the order of the traces_start index read backwards (its entries are (start_ns, tseq)).
  const orderBy =
    q.sort === 'longest'
      ? 't.duration_ns DESC, t.start_ns DESC'
      : q.sort === 'spans'
        ? 't.span_count DESC, t.start_ns DESC'
        : 't.start_ns DESC, t.tseq DESC';
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params, orderBy };
}
