/**
 * CORS is closed by default: no `Access-Control-Allow-Origin` at all, so a web
 * page on another origin can neither read the API nor post spans. `--cors-origin`
 * opens it to exactly one origin, or `*` for browser exporters on a trusted
 * network (with a token they still need the Authorization header).
 *
 * `*` opens the OTLP receiver only: the query API answers only an exact
 * origin (`exactOnly`), because `*` there would let every web page the user
 * visits read their traces.
 */
import type http from 'node:http';

export interface CorsPolicy {
  /** Ignore a configured `*` (the query API): only an exact origin is ever allowed. */
  exactOnly?: boolean;
}

export function corsHeaders(allowed: string | undefined, req: http.IncomingMessage, policy: CorsPolicy = {}): Record<string, string> {
  if (allowed === undefined) return {};
  if (allowed === '*') return policy.exactOnly ? {} : { 'access-control-allow-origin': '*' };
  const origin = req.headers.origin;
  return origin === allowed ? { 'access-control-allow-origin': allowed, vary: 'Origin' } : { vary: 'Origin' };
}

/** Answers a preflight; without a configured origin it carries no CORS headers, so the browser refuses. */
export function sendPreflight(res: http.ServerResponse, allowed: string | undefined, req: http.IncomingMessage, methods: string, policy: CorsPolicy = {}): void {
  const cors = corsHeaders(allowed, req, policy);
  res.writeHead(204, {
    ...cors,
    ...(cors['access-control-allow-origin']
      ? {
          'access-control-allow-methods': methods,
          'access-control-allow-headers': 'content-type, content-encoding, authorization',
          'access-control-max-age': '600',
        }
      : {}),
  });
  res.end();
}
