/**
 * Routes requests, sets the deadline each one has, and turns any error into
 * a JSON answer. Unknown failures are 500s (and ERROR spans); nothing a
 * client sends can crash the process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { type Logger, inject, recordError, setHttpRoute } from '@tracewire/tracing';
import { HttpError, isHttpError } from './errors.ts';
import type { Reply, orderHandlers } from './handlers/orders.ts';

export interface RouterDeps {
  handlers: ReturnType<typeof orderHandlers>;
  budgetMs: number;
  isReady: () => boolean;
  log: Logger;
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(reply.body));
}

/**
 * A caller may shorten (never lengthen) the budget with `x-request-timeout-ms`;
 * the deadline then travels to orders and on to inventory.
 */
function deadlineFor(req: IncomingMessage, budgetMs: number): number {
  const asked = Number(req.headers['x-request-timeout-ms']);
  const budget = Number.isFinite(asked) && asked > 0 ? Math.min(asked, budgetMs) : budgetMs;
  return Date.now() + budget;
}

/**
 * W3C Trace Context Level 2 `traceresponse`: tells the caller which trace its
 * request started, so it can look it up (the demo does). Written by the
 * library's propagator, so its flags follow the same rules as a `traceparent`
 * (the random flag included).
 */
function setTraceResponse(res: ServerResponse): void {
  const carrier: Record<string, string> = {};
  inject(carrier);
  if (carrier.traceparent) res.setHeader('traceresponse', carrier.traceparent);
}

/** A malformed escape (`%E0%A4%A`) is an unknown order, not a server error. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(404, 'not found');
  }
}

export function createRouter({ handlers, budgetMs, isReady, log }: RouterDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const method = req.method ?? 'GET';
    setTraceResponse(res);
    try {
      if (url.pathname === '/healthz') {
        return send(res, isReady() ? { status: 200, body: { status: 'ok' } } : { status: 503, body: { status: 'starting' } });
      }
      const deadline = deadlineFor(req, budgetMs);
      if (url.pathname === '/api/orders') {
        setHttpRoute('/api/orders');
        if (method !== 'POST') throw new HttpError(405, 'method not allowed', undefined, { allow: 'POST' });
        return send(res, await handlers.create(req, deadline));
      }
      const match = /^\/api\/orders\/([^/]+)$/.exec(url.pathname);
      if (match) {
        setHttpRoute('/api/orders/:id');
        if (method !== 'GET') throw new HttpError(405, 'method not allowed', undefined, { allow: 'GET' });
        return send(res, await handlers.get(decodePathSegment(match[1] as string), deadline));
      }
      throw new HttpError(404, 'not found');
    } catch (error) {
      if (isHttpError(error)) {
        if (error.status >= 500) {
          const span = trace.getActiveSpan();
          if (span) recordError(span, error);
        }
        if (error.status === 413) res.setHeader('connection', 'close');
        return send(res, { status: error.status, body: error.body() }, error.headers);
      }
      log.error('request failed', { error, path: url.pathname });
      throw error; // traceHttpServer records it and answers 500
    }
  };
}
