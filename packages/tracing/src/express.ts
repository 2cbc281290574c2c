/**
 * Express 5: a middleware that runs every request in a SERVER span (the same
 * span `traceHttpServer` makes) named `{method} {route template}`, and an
 * error middleware that records the exception a handler threw or passed to
 * `next(err)`. Explicit, so it works in ESM without loader hooks
 * (`@opentelemetry/instrumentation-express` patches `require('express')`).
 *
 * Exported from `@tracewire/tracing/express`; `express` is an optional peer
 * dependency. Typed structurally, so no `@types/express` is needed to use it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { type HttpServerTracingOptions, requestSpan, setHttpRoute, startServerSpan } from './http.ts';
import { recordError } from './span.ts';

/** What the adapter reads of Express's `req` (Express 5 / router 2). */
interface ExpressRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
  originalUrl?: string;
  app?: { router?: { stack?: ExpressLayer[] } };
}

/** A router layer: a route, a middleware, or a mounted router (which has its own `stack`). */
interface ExpressLayer {
  route?: unknown;
  handle?: { stack?: ExpressLayer[] };
  rawPath?: unknown;
  path?: string;
  match?(path: string): boolean | { path?: string };
}

export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
export type ExpressErrorMiddleware = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** Routers nested deeper than this are not searched for mount templates. */
const MAX_ROUTER_DEPTH = 16;

/**
 * The middleware to register first (`app.use(expressTracing())`). The route
 * template (`/orders/:id`, with the templates of mounted routers before it)
 * becomes `http.route` and the span name once the response is sent; a
 * response no route answered (404, a middleware that replied) keeps the
 * method-only name, as the HTTP conventions ask when the route is unknown.
 *
 * @example
 * const app = express();
 * app.use(expressTracing());
 * app.get('/orders/:id', handler);
 * app.use(expressErrorTracing());
 */
export function expressTracing(options: HttpServerTracingOptions = {}): ExpressMiddleware {
  return (req, res, next) => {
    if (options.ignore?.(req)) return next();
    const { ctx } = startServerSpan(req, res, {
      beforeEnd: () => {
        const route = routeTemplate(req as ExpressRequest);
        if (route !== undefined) setHttpRoute(route, ctx);
      },
    });
    context.with(ctx, next);
  };
}

/**
 * Error middleware to register after the routes: records the error on the
 * request's SERVER span when it will be answered with a 5xx (Express answers
 * `err.status`/`err.statusCode` when it is 4xx/5xx, else 500), then hands the
 * error on unchanged. Client errors (4xx) leave the span unset, per the HTTP
 * conventions for servers.
 */
export function expressErrorTracing(): ExpressErrorMiddleware {
  return (error, req, _res, next) => {
    const span = requestSpan(req);
    if (span && errorStatus(error) >= 500) recordError(span, error);
    next(error);
  };
}

function errorStatus(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 500;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

/** `/api` + `/orders/:id` for a route in a router mounted at `/api`; undefined when no route answered. */
function routeTemplate(req: ExpressRequest): string | undefined {
  const route = req.route;
  if (!route || typeof route.path !== 'string') return undefined;
  if (!req.baseUrl) return route.path;
  // Mount paths may hold parameters (`/users/:id`): find their templates, not the values in baseUrl.
  const stack = req.app?.router?.stack;
  const path = pathOf(req.originalUrl ?? req.url ?? '/');
  const mount = stack ? mountTemplate(stack, path, route, 0) : undefined;
  return joinPaths(mount ?? req.baseUrl, route.path);
}

function mountTemplate(stack: readonly ExpressLayer[], path: string, route: unknown, depth: number): string | undefined {
  if (depth > MAX_ROUTER_DEPTH) return undefined;
  for (const layer of stack) {
    if (layer.route === route) return '';
    const inner = layer.handle?.stack;
    if (!inner || typeof layer.rawPath !== 'string' || typeof layer.match !== 'function') continue;
    const matched = layer.match(path);
    if (!matched) continue;
    // router 2.1+ returns the match; older versions store it on the layer.
    const consumed = (typeof matched === 'object' ? matched.path : layer.path) ?? '';
    const found = mountTemplate(inner, path.slice(consumed.length) || '/', route, depth + 1);
    if (found !== undefined) return joinPaths(layer.rawPath, found);
  }
  return undefined;
}

function joinPaths(prefix: string, rest: string): string {
  const head = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (!rest) return head || '/';
  return head + rest;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
