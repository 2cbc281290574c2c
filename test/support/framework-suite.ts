/**
 * The behaviour every framework adapter promises, run against a real server of
 * that framework on a real socket. Each framework's test builds an app with
 * the routes below (in its own idiom) and hands it to `describeAdapter`:
 *
 * - GET  /orders/:id                 200, runs `withSpan('load-order')` inside the handler
 * - POST /orders                     parses a JSON body with the framework's parser, then
 *                                    `withSpan('save-order')`, answers 201 with the body's `id`
 * - GET  /boom                       the handler throws Error('handler exploded') -> 500
 * - GET  /unavailable                answers 503 without an exception
 * - GET  /bad                        the handler throws a client error with status 400
 * - GET  /api/users/:userId/posts/:postId   a route of a router/plugin/sub-app mounted at
 *                                    /api/users/:userId, defined there as /posts/:postId
 * - anything else                    the framework's 404
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { withSpan } from '../../packages/tracing/src/index.ts';
import { HOSTILE_CONTEXT_HEADERS, type MemoryTracing, parentId } from './memory-tracing.ts';

export interface RunningApp {
  base: string;
  close(): Promise<void>;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`;

/** The child span the shared routes open inside their handlers. */
export const childSpan = <T>(name: string, fn: () => T): T => withSpan(name, fn);

export function describeAdapter(framework: string, tracing: MemoryTracing, start: () => Promise<RunningApp>): void {
  let app: RunningApp;
  before(async () => {
    app = await start();
  });
  after(() => app.close());
  beforeEach(() => tracing.reset());

  /** The one SERVER span of the request just made (it ends on `finish`, which may trail the response). */
  const serverSpan = (): Promise<ReadableSpan> => waitForServer(tracing);

  describe(`${framework} adapter`, () => {
    it('continues the incoming traceparent in a SERVER span named by the route template, with child spans nested', async () => {
      const res = await fetch(`${app.base}/orders/42?expand=items`, { headers: { traceparent: TRACEPARENT } });
      assert.equal(res.status, 200);
      await res.text();
      const server = await serverSpan();
      assert.equal(server.kind, SpanKind.SERVER);
      assert.equal(server.spanContext().traceId, TRACE_ID);
      assert.equal(parentId(server), CALLER_SPAN);
      assert.equal(server.name, 'GET /orders/:id');
      assert.equal(server.attributes['http.route'], '/orders/:id');
      assert.equal(server.attributes['http.request.method'], 'GET');
      assert.equal(server.attributes['http.response.status_code'], 200);
      assert.equal(server.attributes['url.path'], '/orders/42');
      assert.equal(server.attributes['url.query'], 'expand=items');
      assert.equal(server.attributes['client.address'], '127.0.0.1');
      assert.equal(server.status.code, SpanStatusCode.UNSET);
      const child = await tracing.one('load-order');
      assert.equal(child.spanContext().traceId, TRACE_ID);
      assert.equal(parentId(child), server.spanContext().spanId);
    });

    it('keeps the context across the framework’s body parsing, so a handler after it nests its spans', async () => {
      const res = await fetch(`${app.base}/orders`, {
        method: 'POST',
        headers: { traceparent: TRACEPARENT, 'content-type': 'application/json' },
        body: slowBody(JSON.stringify({ id: 'o-7', items: Array.from({ length: 2000 }, (_, i) => ({ sku: `sku-${i}` })) })),
        duplex: 'half',
      } as RequestInit);
      assert.equal(res.status, 201);
      assert.deepEqual(await res.json(), { id: 'o-7' });
      const server = await serverSpan();
      assert.equal(server.name, 'POST /orders');
      assert.equal(server.attributes['http.response.status_code'], 201);
      const child = await tracing.one('save-order');
      assert.equal(parentId(child), server.spanContext().spanId);
    });

    it('names a route of a mounted router by its full template, mount parameters included', async () => {
      const res = await fetch(`${app.base}/api/users/u-1/posts/p-2`);
      assert.equal(res.status, 200);
      await res.text();
      const server = await serverSpan();
      assert.equal(server.attributes['http.route'], '/api/users/:userId/posts/:postId');
      assert.equal(server.name, 'GET /api/users/:userId/posts/:postId');
    });

    it('a handler that throws: 500, exception recorded, ERROR status, and the server lives on', async () => {
      const res = await fetch(`${app.base}/boom`, { headers: { traceparent: TRACEPARENT } });
      assert.equal(res.status, 500);
      await res.text();
      const server = await serverSpan();
      assert.equal(server.name, 'GET /boom');
      assert.equal(server.status.code, SpanStatusCode.ERROR);
      assert.equal(server.attributes['http.response.status_code'], 500);
      assert.equal(server.attributes['error.type'], '500');
      const exception = server.events.find((e) => e.name === 'exception');
      assert.equal(exception?.attributes?.['exception.message'], 'handler exploded');
      tracing.reset();
      const again = await fetch(`${app.base}/orders/1`);
      assert.equal(again.status, 200);
    });

    it('a 5xx answered without an exception is ERROR too', async () => {
      const res = await fetch(`${app.base}/unavailable`);
      assert.equal(res.status, 503);
      await res.text();
      const server = await serverSpan();
      assert.equal(server.status.code, SpanStatusCode.ERROR);
      assert.equal(server.attributes['error.type'], '503');
      assert.equal(server.events.length, 0);
    });

    it('a client error (4xx) leaves the SERVER span unset and records no exception', async () => {
      const res = await fetch(`${app.base}/bad`);
      assert.equal(res.status, 400);
      await res.text();
      const server = await serverSpan();
      assert.equal(server.status.code, SpanStatusCode.UNSET);
      assert.equal(server.attributes['http.response.status_code'], 400);
      assert.ok(!server.events.some((e) => e.name === 'exception'));
    });

    it('a path no route matches: 404 under the method-only name, without http.route', async () => {
      const res = await fetch(`${app.base}/no/such/path`);
      assert.equal(res.status, 404);
      await res.text();
      const server = await serverSpan();
      assert.equal(server.name, 'GET');
      assert.equal(server.attributes['http.route'], undefined);
      assert.equal(server.status.code, SpanStatusCode.UNSET);
    });

    for (const headers of HOSTILE_CONTEXT_HEADERS) {
      it(`malformed context headers ${JSON.stringify(headers).slice(0, 40)}… start a new root and the route still answers`, async () => {
        const res = await fetch(`${app.base}/orders/1`, { headers });
        assert.equal(res.status, 200);
        await res.text();
        const server = await serverSpan();
        assert.equal(parentId(server), undefined);
      });
    }
  });
}

/**
 * A body whose second half arrives after a pause, so the parser's `data`/`end`
 * callbacks come from the socket rather than from data already buffered when
 * the handler started reading (the case where a context can be lost).
 */
function slowBody(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const half = Math.floor(bytes.length / 2);
  return new ReadableStream({
    async start(controller) {
      controller.enqueue(bytes.subarray(0, half));
      await new Promise((r) => setTimeout(r, 50));
      controller.enqueue(bytes.subarray(half));
      controller.close();
    },
  });
}

async function waitForServer(tracing: MemoryTracing): Promise<ReadableSpan> {
  for (let i = 0; i < 400; i++) {
    const servers = (await tracing.spans()).filter((s) => s.kind === SpanKind.SERVER);
    if (servers.length > 1) throw new Error(`expected one SERVER span, found ${servers.map((s) => s.name).join(', ')}`);
    if (servers[0]) return servers[0];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no SERVER span ended');
}
