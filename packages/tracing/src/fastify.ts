/**
 * Fastify 5: a plugin that runs every request in a SERVER span (the same span
 * `traceHttpServer` makes) named `{method} {route template}`, and records the
 * errors that Fastify's error handler answers with a 5xx. Explicit, so it works in
 * ESM without loader hooks.
 *
 * Exported from `@tracewire/tracing/fastify`; `fastify` is an optional peer dependency.
 */
import type { IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { type HttpServerTracingOptions, setHttpRoute, startServerSpan } from './http.ts';
import { recordError } from './span.ts';

export type FastifyTracingOptions = HttpServerTracingOptions;

/** The error Fastify's error handler is answering, per request, until the response ends. */
const handlerErrors = new WeakMap<IncomingMessage, unknown>();

function plugin(instance: FastifyInstance, options: FastifyTracingOptions, done: (error?: Error) => void): void {
  instance.addHook('onRequest', (request, reply, next) => {
    if (options.ignore?.(request.raw)) return next();
    const { ctx } = startServerSpan(request.raw, reply.raw, {
      // Only now is the status final: a custom error handler may have answered anything.
      beforeEnd: (span) => {
        if (!handlerErrors.has(request.raw) || reply.raw.statusCode < 500) return;
        recordError(span, handlerErrors.get(request.raw));
      },
    });
    // The router has matched before onRequest; a 404 has no route template.
    const route = request.routeOptions.url;
    if (route) setHttpRoute(route, ctx);
    // Everything after this hook (parsing, validation, the handler) runs in the span's context.
    context.with(ctx, next);
  });
  // Runs before the error handler picks the status; 4xx (validation, not found) are the caller's fault.
  instance.addHook('onError', (request, _reply, error, next) => {
    handlerErrors.set(request.raw, error);
    next();
  });
  done();
}

/**
 * The plugin. Register it before the routes; it is not encapsulated
 * (`skip-override`, as `fastify-plugin` would mark it), so it traces every
 * route of the instance it is registered on, including those of child plugins.
 *
 * @example
 * const app = Fastify();
 * await app.register(fastifyTracing);
 * app.get('/orders/:id', handler); // span "GET /orders/:id"
 */
export const fastifyTracing: FastifyPluginCallback<FastifyTracingOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@tracewire/tracing',
});
