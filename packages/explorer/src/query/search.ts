/**
 * `/api/tw/search` parameters -> SearchQuery. Attribute expressions:
 * `key=value`, `key!=value`, `key=prefix*`, `key` (exists), `!key` (absent).
 */
import type { SpanKindNumber } from '../model.ts';
import type { AttrFilter, SearchQuery } from '../store/store.ts';
import { MAX_FILTERS, ParamError, checkOrder, many, one, parseDuration, parseIntParam, parseTimeMsOrIso, startFromLookback } from './params.ts';

// A Map, not an object literal: `kind=__proto__` must not find Object.prototype.
const KINDS = new Map<string, SpanKindNumber>([
  ['internal', 1],
  ['server', 2],
  ['client', 3],
  ['producer', 4],
  ['consumer', 5],
]);

export function parseAttrExpr(raw: string): AttrFilter {
  const expr = raw.trim();
  const bad = () => new ParamError('attr', `attr ${JSON.stringify(raw)} must be key=value, key!=value, key=prefix*, key or !key`);
  if (expr.startsWith('!') && !expr.includes('=')) {
    const key = expr.slice(1).trim();
    if (!key) throw bad();
    return { op: 'absent', key };
  }
  const eq = expr.indexOf('=');
  if (eq < 0) {
    if (!expr) throw bad();
    return { op: 'exists', key: expr };
  }
  const ne = expr[eq - 1] === '!';
  const key = expr.slice(0, ne ? eq - 1 : eq).trim();
  const value = expr.slice(eq + 1);
  if (!key) throw bad();
  if (ne) return { op: 'ne', key, value };
  if (value.endsWith('*') && !value.endsWith('\\*')) return { op: 'prefix', key, value: value.slice(0, -1) };
  return { op: 'eq', key, value: value.replace(/\\\*$/, '*') };
}

export function parseKind(raw: string, parameter = 'kind'): SpanKindNumber {
  const k = KINDS.get(raw.toLowerCase());
  if (k === undefined) throw new ParamError(parameter, `${parameter} must be one of server, client, producer, consumer, internal`);
  return k;
}

export function parseSearchParams(p: URLSearchParams, nowMs = Date.now()): SearchQuery {
  const q: SearchQuery = { attrs: [], limit: 20, offset: 0, sort: 'recent' };
  const service = one(p, 'service');
  if (service !== undefined) q.service = service;
  const operation = one(p, 'operation');
  if (operation !== undefined) q.operation = operation;
  const kind = one(p, 'kind');
  if (kind !== undefined) q.kind = parseKind(kind);
  const status = one(p, 'status');
  if (status !== undefined) {
    if (status !== 'error' && status !== 'any') throw new ParamError('status', 'status must be error (or any)');
    q.errorsOnly = status === 'error';
  }
  const text = one(p, 'q');
  if (text !== undefined) q.text = text;
  q.attrs = many(p, 'attr', MAX_FILTERS).map(parseAttrExpr);
  const minD = one(p, 'minDuration');
  if (minD !== undefined) q.minDurationNs = parseDuration('minDuration', minD);
  const maxD = one(p, 'maxDuration');
  if (maxD !== undefined) q.maxDurationNs = parseDuration('maxDuration', maxD);

  const end = one(p, 'end');
  const endNs = end !== undefined ? parseTimeMsOrIso('end', end) : undefined;
  const start = one(p, 'start');
  const lookback = one(p, 'lookback');
  if (start !== undefined) q.startNs = parseTimeMsOrIso('start', start);
  else if (lookback !== undefined && lookback !== 'custom') {
    q.startNs = startFromLookback(endNs ?? BigInt(nowMs) * 1_000_000n, parseDuration('lookback', lookback));
  }
  if (endNs !== undefined) q.endNs = endNs;
  checkOrder(q);

  const limit = one(p, 'limit');
  if (limit !== undefined) q.limit = parseIntParam('limit', limit, 1, 1000);
  const offset = one(p, 'offset');
  if (offset !== undefined) q.offset = parseIntParam('offset', offset, 0, 1_000_000);
  const sort = one(p, 'sort');
  if (sort !== undefined) {
    if (sort !== 'recent' && sort !== 'longest' && sort !== 'spans') throw new ParamError('sort', 'sort must be recent, longest or spans');
    q.sort = sort;
  }
  return q;
}
