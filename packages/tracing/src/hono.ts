/**
 * Hono on Node (`@hono/node-server`): a middleware that runs every request in
 * a SERVER span (the same span `traceHttpServer` makes, started from the
 * adapter's Node request and response) named `{method} {route template}`, and
 * records the error Hono's `onError` answered. Explicit, so it works in ESM
 * without loader hooks.
 *
 * Exported from `@tracewire/tracing/hono`; `hono` is an optional peer dependency.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { context, diag } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { type HttpServerTracingOptions, setHttpRoute, startServerSpan } from './http.ts';
import { recordError } from './span.ts';

export type HonoTracingOptions = HttpServerTracingOptions;

/** The bindings `@hono/node-server` puts in `c.env`. */
interface NodeBindings {
  incoming?: unknown;
  outgoing?: unknown;
}

let warnedNoNode = false;

/**
 * The middleware: register it first (`app.use(honoTracing())`). Needs the Node
 * adapter's bindings; on another runtime it passes requests through and warns
 * once through OpenTelemetry's `diag`.
 *
 * @example
 * const app = new Hono();
 * app.use(honoTracing());
 * app.get('/orders/:id', (c) => c.json(order)); // span "GET /orders/:id"
 * serve({ fetch: app.fetch, port: 8080 });
 */
export function honoTracing(options: HonoTracingOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const node = nodeBindings(c.env);
    if (!node) {
      if (!warnedNoNode) diag.warn('honoTracing: no Node request in c.env (not @hono/node-server over HTTP/1.1); requests are not traced');
      warnedNoNode = true;
      return next();
    }
    if (options.ignore?.(node.incoming)) return next();
    const { span, ctx } = startServerSpan(node.incoming, node.outgoing);
    await context.with(ctx, next);
    // Hono catches handler errors, answers through onError and keeps the error on the context.
    if (c.error && c.res.status >= 500) recordError(span, c.error);
    const route = respondingRoute(c);
    if (route !== undefined) setHttpRoute(route, ctx);
  };
}

/** The adapter's Node request and response, when they are HTTP/1.1 ones (HTTP/2 compat objects are not traced). */
function nodeBindings(env: unknown): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const { incoming, outgoing } = env as NodeBindings;
  if (!(incoming instanceof IncomingMessage) || !(outgoing instanceof ServerResponse)) return undefined;
  return { incoming, outgoing };
}

/**
 * The template of the route that answered. Hono leaves `routeIndex` on the
 * last handler it ran; when that is a middleware (it answered itself, or no
 * route matched and the 404 handler did), there is no route template. Hono's
 * own route helper tells them apart the same way, by arity: a middleware takes `next`.
 */
function respondingRoute(c: Context): string | undefined {
  const route = matchedRoutes(c)[c.req.routeIndex];
  if (!route || route.handler.length >= 2) return undefined;
  return route.path;
}
