/**
 * Builds the search statement from a SearchQuery. Every value is a bound
 * parameter; only fixed SQL fragments are concatenated.
 */
import type { SearchQuery } from './store.ts';
import { INDEXED_VALUE_CHARS } from './schema.ts';

export interface BuiltSearch {
  where: string;
  params: Array<string | number | bigint>;
  orderBy: string;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function buildSearch(q: SearchQuery): BuiltSearch {
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
  if (op.length) clauses.push(`t.tseq IN (SELECT tseq FROM trace_ops WHERE ${op.join(' AND ')})`);
  if (q.text !== undefined && q.text !== '') {
    clauses.push("t.tseq IN (SELECT tseq FROM trace_ops WHERE name LIKE ? ESCAPE '\\')");
    params.push(`%${likeEscape(q.text)}%`);
  }

  for (const f of q.attrs) {
    switch (f.op) {
      case 'eq':
        clauses.push('t.tseq IN (SELECT tseq FROM attrs WHERE key = ? AND value = ?)');
        params.push(f.key, f.value.slice(0, INDEXED_VALUE_CHARS));
        break;
      case 'ne':
        clauses.push('t.tseq IN (SELECT tseq FROM attrs WHERE key = ? AND value <> ?)');
        params.push(f.key, f.value.slice(0, INDEXED_VALUE_CHARS));
        break;
      case 'prefix':
        // A range on the primary key instead of LIKE/GLOB: case-sensitive and index-friendly.
        clauses.push('t.tseq IN (SELECT tseq FROM attrs WHERE key = ? AND value >= ? AND value < ?)');
        params.push(f.key, f.value, `${f.value}\u{10FFFF}`);
        break;
      case 'exists':
        clauses.push('t.tseq IN (SELECT tseq FROM attrs WHERE key = ?)');
        params.push(f.key);
        break;
      case 'absent':
        clauses.push('t.tseq NOT IN (SELECT tseq FROM attrs WHERE key = ?)');
        params.push(f.key);
        break;
    }
  }
  const orderBy =
    q.sort === 'longest'
      ? 't.duration_ns DESC, t.start_ns DESC'
      : q.sort === 'spans'
        ? 't.span_count DESC, t.start_ns DESC'
        : 't.start_ns DESC, t.tseq DESC';
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params, orderBy };
}
