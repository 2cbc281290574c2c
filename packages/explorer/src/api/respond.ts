/**
 * How the query API answers: JSON with `nosniff` (span data is untrusted and
 * must never be sniffed into HTML), and one place that maps errors to status
 * codes: a bad parameter 400 `{error, parameter}`, a search over its work
 * budget 400 `{error, reason: 'query_budget'}`, a store that cannot answer
 * now 503 + Retry-After, an unknown trace 404,
 * anything else 500 and the error handler (never the message: it may hold
 * internals).
 */
import type http from 'node:http';
import { ParamError } from '../query/params.ts';
import { QueryBudgetError, StoreUnavailableError } from '../store/store.ts';

/** A trace or other resource that does not exist: 404 `{error}`. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Answers `err` as the client's mistake (4xx) when it is one, else as 500 after reporting it. */
export function sendError(res: http.ServerResponse, err: unknown, onError?: (err: Error) => void): void {
  if (err instanceof ParamError) return answer(res, 400, { error: err.message, parameter: err.parameter });
  if (err instanceof NotFoundError) return answer(res, 404, { error: err.message });
  // The search would do more work than one request may: the message says how to narrow it.
  // The backend cannot answer now (OpenSearch red or unreachable): retryable, never an empty 200.
  if (err instanceof StoreUnavailableError) return answer(res, 503, { error: err.message }, { 'retry-after': String(err.retryAfterSeconds) });
  if (err instanceof QueryBudgetError) return answer(res, 400, { error: err.message, reason: 'query_budget' });
  try {
    onError?.(err instanceof Error ? err : new Error(String(err)));
  } finally {
    answer(res, 500, { error: 'internal error' });
  }
}

/** Answers unless an answer is already on its way; then the connection is cut, so the client sees a broken reply rather than a wrong one. */
function answer(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  json(res, status, body, headers);
}
