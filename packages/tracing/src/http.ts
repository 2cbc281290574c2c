/**
 * HTTP: a SERVER span per incoming request (context extracted from headers)
 * and CLIENT spans for outgoing `fetch` and `node:http` requests (context
 * injected). Attributes follow the stable HTTP semantic conventions:
 * https://opentelemetry.io/docs/specs/semconv/http/http-spans/
 *
 * Explicit wrappers rather than @opentelemetry/instrumentation-http: that one
 * patches `require('http')` and so does nothing for ESM code without loader
 * hooks; these work the same in CJS, ESM and bundles.
 */
import type { ClientRequest, IncomingMessage, RequestOptions, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  trace,
} from '@opentelemetry/api';
import { fetchHeadersSetter, httpHeadersGetter, httpHeadersSetter } from './carriers.ts';
import { extract, inject } from './propagation.ts';
import { recordError, tracer } from './span.ts';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const SERVER_SPAN = createContextKey('tracewire.http.server-span');

/** Normalized method attributes: unknown methods become `_OTHER` as semconv requires. */
function methodAttributes(method: string | undefined): { name: string; attributes: Attributes } {
  const upper = (method ?? 'GET').toUpperCase();
  if (KNOWN_METHODS.has(upper)) return { name: upper, attributes: { 'http.request.method': upper } };
  return { name: 'HTTP', attributes: { 'http.request.method': '_OTHER', 'http.request.method_original': method ?? '' } };
}

function hostAttributes(host: string | undefined, defaultPort: number): Attributes {
  if (!host) return {};
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!match) return {};
  return { 'server.address': match[1], 'server.port': match[2] ? Number(match[2]) : defaultPort };
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerTracingOptions {
  /** Requests for which no span is made (health checks). */
  ignore?: (req: IncomingMessage) => boolean;
}

/**
 * Wraps a Node `http` request handler: extracts the caller's context, runs the
 * handler inside a SERVER span, sets the response status, marks 5xx as ERROR.
 * A handler that throws gets a 500 (if nothing was sent) and never crashes the server.
 *
 * @example
 * http.createServer(traceHttpServer(async (req, res) => {
 *   setHttpRoute('/api/orders/:id');
 *   res.end('ok');
 * })).listen(8080);
 */
export function traceHttpServer(handler: HttpHandler, options: HttpServerTracingOptions = {}): HttpHandler {
  return (req, res) => {
    if (options.ignore?.(req)) return runHandler(handler, req, res, undefined);
    const { span, ctx } = startServerSpan(req, res);
    return context.with(ctx, () => runHandler(handler, req, res, span));
  };
}

export interface ServerSpanHooks {
  /** Runs just before the span ends (the framework adapters name the route here). */
  beforeEnd?: (span: Span) => void;
}

/** Per request, the SERVER span started for it: adapters find it from hooks that get only the request. */
const REQUEST_SPANS = new WeakMap<IncomingMessage, Span>();

/**
 * Starts the SERVER span of one request, as `traceHttpServer` and the framework
 * adapters share it: the caller's context extracted from the headers, the
 * request attributes, and the end on `finish`/`close` with the status code
 * (5xx = ERROR, a response cut before it finished = `error.type` aborted).
 * The request and response emitters are bound to the returned context, so
 * body parsers' `data`/`end` callbacks, which Node runs from the socket's
 * context, continue the request's trace.
 */
export function startServerSpan(req: IncomingMessage, res: ServerResponse, hooks: ServerSpanHooks = {}): { span: Span; ctx: Context } {
  const parent = extract(req.headers, httpHeadersGetter);
  const { name, attributes } = methodAttributes(req.method);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes: { ...attributes, ...requestAttributes(req) } }, parent);
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    hooks.beforeEnd?.(span);
    span.setAttribute('http.response.status_code', res.statusCode);
    if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
    if (res.statusCode >= 500) {
      span.setAttribute('error.type', String(res.statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  res.once('finish', finish);
  res.once('close', finish);
  REQUEST_SPANS.set(req, span);
  const ctx = trace.setSpan(parent, span).setValue(SERVER_SPAN, { span, method: name } satisfies ServerSpanEntry);
  context.bind(ctx, req);
  context.bind(ctx, res);
  return { span, ctx };
}

/** The SERVER span `startServerSpan` made for `req`, if any. */
export function requestSpan(req: IncomingMessage): Span | undefined {
  return REQUEST_SPANS.get(req);
}

function requestAttributes(req: IncomingMessage): Attributes {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    'url.scheme': 'encrypted' in req.socket ? 'https' : 'http',
    'url.path': q === -1 ? url : url.slice(0, q),
    ...(q === -1 ? {} : { 'url.query': url.slice(q + 1) }),
    ...hostAttributes(req.headers.host, 80),
    'client.address': req.socket.remoteAddress ?? '',
    'network.protocol.version': req.httpVersion,
    ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'] } : {}),
  };
}

function runHandler(handler: HttpHandler, req: IncomingMessage, res: ServerResponse, span: Span | undefined): Promise<void> {
  const fail = (error: unknown): void => {
    if (span) recordError(span, error);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'internal error' }));
    } else {
      res.destroy();
    }
  };
  try {
    return Promise.resolve(handler(req, res)).catch(fail);
  } catch (error) {
    fail(error);
    return Promise.resolve();
  }
}

/** The SERVER span of the request being handled, if any. */
export function serverSpan(ctx: Context = context.active()): Span | undefined {
  return (ctx.getValue(SERVER_SPAN) as ServerSpanEntry | undefined)?.span;
}

interface ServerSpanEntry {
  span: Span;
  /** Normalized method (or `HTTP`), kept to rebuild the span name once the route is known. */
  method: string;
}

/**
 * Names the matched route (`/api/orders/:id`) on the current SERVER span: the
 * span becomes `GET /api/orders/:id`, low-cardinality as semconv asks.
 */
export function setHttpRoute(route: string, ctx: Context = context.active()): void {
  const entry = ctx.getValue(SERVER_SPAN) as ServerSpanEntry | undefined;
  if (!entry) return;
  entry.span.setAttribute('http.route', route);
  entry.span.updateName(`${entry.method} ${route}`);
}

function clientSpan(method: string | undefined, url: URL): Span {
  const { name, attributes } = methodAttributes(method);
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  return tracer().startSpan(name, {
    kind: SpanKind.CLIENT,
    attributes: {
      ...attributes,
      'url.full': `${url.origin}${url.pathname}`,
      'server.address': url.hostname,
      'server.port': url.port ? Number(url.port) : defaultPort,
    },
  });
}

function endClientSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  // For clients every 4xx/5xx is an error: the call did not do what was asked.
  if (status >= 400) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * `fetch` with a CLIENT span and injected trace context. Network failures are
 * recorded on the span and rethrown; the response body is left to the caller.
 *
 * @example
 * const res = await tracedFetch('http://127.0.0.1:8080/api/orders', { method: 'POST', body });
 */
export async function tracedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input);
  const span = clientSpan(init.method, url);
  const headers = new Headers(init.headers);
  inject(headers, fetchHeadersSetter, trace.setSpan(context.active(), span));
  try {
    const response = await fetch(url, { ...init, headers });
    endClientSpan(span, response.status);
    return response;
  } catch (error) {
    recordError(span, error);
    span.end();
    throw error;
  }
}

/**
 * `http.request` / `https.request` with a CLIENT span and injected context. The
 * span ends when the response has been read, or on error.
 */
export function tracedHttpRequest(
  target: string | URL,
  options: RequestOptions = {},
  callback?: (res: IncomingMessage) => void,
): ClientRequest {
  const url = new URL(target);
  const span = clientSpan(options.method, url);
  const headers: Record<string, unknown> = { ...(options.headers as Record<string, unknown> | undefined) };
  inject(headers, httpHeadersSetter, trace.setSpan(context.active(), span));
  const requestFn = url.protocol === 'https:' ? https.request : http.request;
  const req = requestFn(url, { ...options, headers: headers as http.OutgoingHttpHeaders }, (res) => {
    res.once('end', () => endClientSpan(span, res.statusCode ?? 0));
    res.once('error', (error) => {
      recordError(span, error);
      span.end();
    });
    callback?.(res);
  });
  req.once('error', (error) => {
    recordError(span, error);
    span.end();
  });
  return req;
}
