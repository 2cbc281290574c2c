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

/** `cond` selects rows of `table` for one trace; `negate` for "no such row". */
function sideFilter(form: FilterForm, table: 'trace_ops' | 'attrs', cond: string, negate = false): string {
  if (form === 'probe') return `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${table} x WHERE x.tseq = t.tseq AND ${cond})`;
  return `t.tseq ${negate ? 'NOT ' : ''}IN (SELECT tseq FROM ${table} WHERE ${cond})`;
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
  if (op.length) clauses.push(sideFilter(form, 'trace_ops', op.join(' AND ')));
  if (q.text !== undefined && q.text !== '') {
    clauses.push(sideFilter(form, 'trace_ops', "name LIKE ? ESCAPE '\\'"));
    params.push(`%${likeEscape(q.text)}%`);
  }

  for (const f of q.attrs) {
    switch (f.op) {
      case 'eq':
        clauses.push(sideFilter(form, 'attrs', 'key = ? AND value = ?'));
        params.push(f.key, f.value.slice(0, INDEXED_VALUE_CHARS));
        break;
      case 'ne':
        clauses.push(sideFilter(form, 'attrs', 'key = ? AND value <> ?'));
        params.push(f.key, f.value.slice(0, INDEXED_VALUE_CHARS));
        break;
      case 'prefix':
        // A range on the primary key instead of LIKE/GLOB: case-sensitive and index-friendly.
        clauses.push(sideFilter(form, 'attrs', 'key = ? AND value >= ? AND value < ?'));
        params.push(f.key, f.value, `${f.value}\u{10FFFF}`);
        break;
      case 'exists':
        clauses.push(sideFilter(form, 'attrs', 'key = ?'));
        params.push(f.key);
        break;
      case 'absent':
        clauses.push(sideFilter(form, 'attrs', 'key = ?', true));
        params.push(f.key);
        break;
    }
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
