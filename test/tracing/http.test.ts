import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import {
  setHttpRoute,
  traceHttpServer,
  tracedFetch,
  tracedHttpRequest,
  withSpan,
} from '../../packages/tracing/src/index.ts';
import { HOSTILE_CONTEXT_HEADERS, memoryTracing, parentId } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'http-test' });
let server: http.Server;
let base: string;
const seenBaggage: Array<string | undefined> = [];

before(async () => {
  server = http.createServer(
    traceHttpServer((req, res) => {
      seenBaggage.push(propagation.getBaggage(context.active())?.getEntry('tenant')?.value);
      if (req.url?.startsWith('/items/')) {
        setHttpRoute('/items/:id');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (req.url === '/boom') {
        setHttpRoute('/boom');
        throw new Error('handler exploded');
      } else if (req.url === '/unavailable') {
        setHttpRoute('/unavailable');
        res.writeHead(503).end();
      } else {
        res.writeHead(404).end();
      }
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await tracing.shutdown();
});
beforeEach(() => {
  tracing.reset();
  seenBaggage.length = 0;
});

const withTenant = <T>(fn: () => Promise<T>): Promise<T> => {
  const bag = propagation.createBaggage({ tenant: { value: 'acme' } });
  return context.with(propagation.setBaggage(context.active(), bag), fn);
};

describe('HTTP propagation', () => {
  it('fetch client -> server: one trace, CLIENT parent of SERVER, route-named, baggage intact', async () => {
    await withTenant(() =>
      withSpan('checkout', async () => {
        const res = await tracedFetch(`${base}/items/42?color=red`);
        assert.equal(res.status, 200);
        await res.text();
      }),
    );
    const root = await tracing.one('checkout');
    const client = await tracing.one('GET');
    const serverSpan = await tracing.one('GET /items/:id');
    const traceId = root.spanContext().traceId;
    for (const s of [client, serverSpan]) assert.equal(s.spanContext().traceId, traceId);
    assert.equal(client.kind, SpanKind.CLIENT);
    assert.equal(serverSpan.kind, SpanKind.SERVER);
    assert.equal(parentId(client), root.spanContext().spanId);
    assert.equal(parentId(serverSpan), client.spanContext().spanId);
    assert.equal(serverSpan.attributes['http.request.method'], 'GET');
    assert.equal(serverSpan.attributes['http.route'], '/items/:id');
    assert.equal(serverSpan.attributes['url.path'], '/items/42');
    assert.equal(serverSpan.attributes['url.query'], 'color=red');
    assert.equal(serverSpan.attributes['http.response.status_code'], 200);
    assert.equal(client.attributes['http.response.status_code'], 200);
    assert.equal(client.attributes['server.address'], '127.0.0.1');
    assert.equal(client.attributes['url.full'], `${base}/items/42`);
    assert.equal(serverSpan.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(seenBaggage, ['acme']);
  });

  it('node http client -> server carries the same context', async () => {
    await withTenant(() =>
      withSpan('legacy-call', () =>
        new Promise<void>((resolve, reject) => {
          tracedHttpRequest(`${base}/items/7`, { method: 'GET' }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
            .on('error', reject)
            .end();
        }),
      ),
    );
    const client = await tracing.one('GET');
    const serverSpan = await tracing.one('GET /items/:id');
    assert.equal(parentId(serverSpan), client.spanContext().spanId);
    assert.equal(client.spanContext().traceId, (await tracing.one('legacy-call')).spanContext().traceId);
    assert.deepEqual(seenBaggage, ['acme']);
  });

  it('5xx marks the server span as ERROR; the client records the status too', async () => {
    const res = await tracedFetch(`${base}/unavailable`);
    assert.equal(res.status, 503);
    const serverSpan = await tracing.one('GET /unavailable');
    assert.equal(serverSpan.status.code, SpanStatusCode.ERROR);
    assert.equal(serverSpan.attributes['error.type'], '503');
    assert.equal((await tracing.one('GET')).status.code, SpanStatusCode.ERROR);
  });

  it('a throwing handler yields 500 with the exception recorded, and the server keeps serving', async () => {
    const res = await fetch(`${base}/boom`);
    assert.equal(res.status, 500);
    const serverSpan = await tracing.one('GET /boom');
    assert.equal(serverSpan.status.code, SpanStatusCode.ERROR);
    const exception = serverSpan.events.find((e) => e.name === 'exception');
    assert.equal(exception?.attributes?.['exception.message'], 'handler exploded');
    assert.equal((await fetch(`${base}/items/1`)).status, 200);
  });

  it('4xx is not a server error', async () => {
    const res = await fetch(`${base}/nope`);
    assert.equal(res.status, 404);
    const s = (await tracing.spans()).find((x) => x.kind === SpanKind.SERVER);
    assert.equal(s?.status.code, SpanStatusCode.UNSET);
  });

  it('a failed connection is recorded on the client span and rethrown', async () => {
    await assert.rejects(tracedFetch('http://127.0.0.1:1/unreachable'));
    const client = await tracing.one('GET');
    assert.equal(client.status.code, SpanStatusCode.ERROR);
    assert.ok(client.events.some((e) => e.name === 'exception'));
  });

  for (const headers of HOSTILE_CONTEXT_HEADERS) {
    it(`malformed context ${JSON.stringify(headers).slice(0, 60)}… starts a new root trace`, async () => {
      const res = await fetch(`${base}/items/1`, { headers });
      assert.equal(res.status, 200);
      const serverSpan = await tracing.one('GET /items/:id');
      assert.equal(parentId(serverSpan), undefined);
      assert.notEqual(serverSpan.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    });
  }

  it('a valid uppercase-free traceparent from another system is continued', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await fetch(`${base}/items/1`, { headers: { traceparent, tracestate: 'vendor=x' } });
    const serverSpan = await tracing.one('GET /items/:id');
    assert.equal(serverSpan.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(parentId(serverSpan), '00f067aa0ba902b7');
    assert.equal(serverSpan.spanContext().traceState?.get('vendor'), 'x');
  });
  it('a handler reading the body through data/end events keeps the request context when the body arrives late', async () => {
    const seen: string[] = [];
    const bodyServer = http.createServer(
      traceHttpServer((req, res) => {
        req.on('data', () => seen.push(trace.getSpan(context.active())?.spanContext().spanId ?? 'none'));
        req.on('end', () => {
          seen.push(trace.getSpan(context.active())?.spanContext().spanId ?? 'none');
          res.end('ok');
        });
      }),
    );
    await new Promise<void>((r) => bodyServer.listen(0, '127.0.0.1', r));
    try {
      const { port } = bodyServer.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST' }, (res) => res.resume().once('end', resolve));
        req.once('error', reject);
        req.write('first half,');
        // The second chunk comes from the socket after the handler returned.
        setTimeout(() => req.end('second half'), 50);
      });
      const server = (await tracing.spans()).find((s) => s.kind === SpanKind.SERVER);
      assert.ok(server);
      assert.ok(seen.length >= 3, `data, data, end: ${seen.join(',')}`);
      assert.deepEqual(new Set(seen), new Set([server.spanContext().spanId]));
    } finally {
      await new Promise((r) => bodyServer.close(r));
    }
  });
});
