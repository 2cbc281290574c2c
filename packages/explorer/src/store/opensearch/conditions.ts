/**
 * A SearchQuery as OpenSearch queries on span documents. Search semantics are per trace (each
 * condition holds for some span of the trace, docs/explorer.md "Store"), so each condition is a
 * *named* query (`_name`): one fetch of a trace's spans reports which span matched which condition
 * (`matched_queries`), and the trace is checked in the process (summaries.ts). One condition, the
 * "driver", also selects the candidate traces.
 */
import type { AttrFilter, SearchQuery } from '../store.ts';
import { KIND_NAMES_LOWER } from './jaeger-doc.ts';

export type Query = Record<string, unknown>;

export interface Condition {
  name: string;
  query: Query;
  /** The trace matches when no span matched (`!key`). */
  negate: boolean;
}

const term = (field: string, value: string | number): Query => ({ term: { [field]: value } });
const all = (...filter: Query[]): Query => ({ bool: { filter } });
const any = (...should: Query[]): Query => ({ bool: { should, minimum_should_match: 1 } });

/** Some tag (`tags`) or process tag (`process.tags`) has this key. */
const tagQuery = (key: string): Query => tagQueryValue(key);

function attrQuery(f: AttrFilter): Query {
  // service.name is the process's serviceName field in Jaeger's model, not a process tag.
  if (f.key === 'service.name') {
    if (f.op === 'eq') return term('process.serviceName', f.value);
    if (f.op === 'ne') return { bool: { must_not: [term('process.serviceName', f.value)] } };
    if (f.op === 'prefix') return { prefix: { 'process.serviceName': f.value } };
    return { match_all: {} };
  }
  const path = (p: string) => `${p}.value`;
  switch (f.op) {
    case 'eq':
      return tagQueryValue(f.key, (p) => term(path(p), f.value));
    case 'ne':
      return tagQueryValue(f.key, undefined, (p) => term(path(p), f.value));
    case 'prefix':
      return tagQueryValue(f.key, (p) => ({ prefix: { [path(p)]: f.value } }));
    default:
      return tagQuery(f.key);
  }
}

/** Some tag or process tag has this key and a value that satisfies `value` (and not `notValue`). */
function tagQueryValue(key: string, value?: (path: string) => Query, notValue?: (path: string) => Query, paths = ['tags', 'process.tags']): Query {
  const inner = (path: string): Query => ({
    nested: {
      path,
      query: {
        bool: {
          filter: [term(`${path}.key`, key), ...(value ? [value(path)] : [])],
          ...(notValue ? { must_not: [notValue(path)] } : {}),
        },
      },
    },
  });
  return any(...paths.map(inner));
}

/** The span is an error: OTLP status ERROR, or Jaeger's `error=true` tag. */
export const ERROR_QUERY: Query = any(
  tagQueryValue('error', (p) => term(`${p}.value`, 'true'), undefined, ['tags']),
  tagQueryValue('otel.status_code', (p) => term(`${p}.value`, 'ERROR'), undefined, ['tags']),
);

function operationQuery(q: SearchQuery): Query | undefined {
  const parts: Query[] = [];
  if (q.service !== undefined) parts.push(term('process.serviceName', q.service));
  if (q.operation !== undefined) parts.push(term('operationName', q.operation));
  if (q.kind !== undefined) {
    // Kind 0 (unspecified) has no span.kind tag.
    if (q.kind === 0) parts.push({ bool: { must_not: [tagQuery('span.kind')] } });
    else parts.push(tagQueryValue('span.kind', (p) => term(`${p}.value`, KIND_NAMES_LOWER[q.kind as number] as string)));
  }
  return parts.length ? all(...parts) : undefined;
}

/** The span-level conditions of a query; text and the trace-level bounds are checked in the process. */
export function conditions(q: SearchQuery): Condition[] {
  const out: Condition[] = [];
  const op = operationQuery(q);
  if (op) out.push({ name: 'op', query: op, negate: false });
  q.attrs.forEach((f, i) => out.push({ name: `a${i}`, query: attrQuery(f), negate: f.op === 'absent' }));
  if (q.errorsOnly) out.push({ name: 'errors', query: ERROR_QUERY, negate: false });
  return out;
}

/** Span start window, µs: spans of a trace that started in [start, end] start at or after `start`. */
export function windowQuery(q: SearchQuery, slackUs: number): Query | undefined {
  const range: Record<string, number> = {};
  if (q.startNs !== undefined) range.gte = Number(q.startNs / 1000n);
  if (q.endNs !== undefined) range.lte = Number(q.endNs / 1000n) + slackUs;
  return Object.keys(range).length ? { range: { startTime: range } } : undefined;
}

/** Candidate spans: in the window and matching the first positive condition (or any span). */
export function driverQuery(q: SearchQuery, conds: Condition[], slackUs: number): Query {
  const filter: Query[] = [];
  const w = windowQuery(q, slackUs);
  if (w) filter.push(w);
  const driver = conds.find((c) => !c.negate);
  if (driver) filter.push(driver.query);
  return filter.length ? all(...filter) : { match_all: {} };
}

/** The named queries for one fetch of candidate traces' spans. */
export function namedQueries(conds: Condition[]): Query[] {
  return [...conds, { name: 'err', query: ERROR_QUERY }].map((c) => ({ bool: { filter: [c.query], _name: c.name } }));
}
