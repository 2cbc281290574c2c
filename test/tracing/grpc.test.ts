import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, propagation } from '@opentelemetry/api';
import { withSpan } from '../../packages/tracing/src/index.ts';
import { echoClient, useEchoServer } from '../support/echo-grpc.ts';
import { HOSTILE_CONTEXT_HEADERS, memoryTracing, parentId } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'grpc-test' });
const NAME = 'tracewire.test.Echo/Say';

const echo = useEchoServer(tracing);

async function rpcSpans() {
  const spans = (await tracing.spans()).filter((s) => s.name === NAME);
  const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT);
  const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
  assert.ok(serverSpan, 'server span exported');
  return { clientSpan, serverSpan };
}

describe('gRPC propagation', () => {
  it('client interceptor -> traced service: one trace, CLIENT parent of SERVER, rpc.* attributes, baggage', async () => {
    const bag = propagation.createBaggage({ tenant: { value: 'acme' } });
    const reply = await context.with(propagation.setBaggage(context.active(), bag), () =>
      withSpan('place-order', () => echo.client.say({ text: 'hi', outcome: 'ok' })),
    );
    assert.deepEqual(reply, { text: 'hi', tenant: 'acme' });
    const root = await tracing.one('place-order');
    const { clientSpan, serverSpan } = await rpcSpans();
    assert.ok(clientSpan);
    assert.equal(clientSpan.spanContext().traceId, root.spanContext().traceId);
    assert.equal(serverSpan.spanContext().traceId, root.spanContext().traceId);
    assert.equal(parentId(clientSpan), root.spanContext().spanId);
    assert.equal(parentId(serverSpan), clientSpan.spanContext().spanId);
    for (const s of [clientSpan, serverSpan]) {
      assert.equal(s.attributes['rpc.system'], 'grpc');
      assert.equal(s.attributes['rpc.service'], 'tracewire.test.Echo');
      assert.equal(s.attributes['rpc.method'], 'Say');
      assert.equal(s.attributes['rpc.grpc.status_code'], 0);
      assert.equal(s.status.code, SpanStatusCode.UNSET);
    }
    assert.equal(clientSpan.attributes['server.address'], '127.0.0.1');
    assert.equal(serverSpan.attributes['client.address'], '127.0.0.1');
  });

  it('NOT_FOUND fails the CLIENT span but leaves the SERVER span unset (caller error)', async () => {
    await assert.rejects(echo.client.say({ text: '', outcome: 'not_found' }), { code: grpc.status.NOT_FOUND });
    const { clientSpan, serverSpan } = await rpcSpans();
    assert.equal(clientSpan?.status.code, SpanStatusCode.ERROR);
    assert.equal(clientSpan?.attributes['error.type'], 'NOT_FOUND');
    assert.equal(serverSpan.status.code, SpanStatusCode.UNSET);
    assert.equal(serverSpan.attributes['rpc.grpc.status_code'], grpc.status.NOT_FOUND);
  });

  it('INTERNAL fails both spans with the status message', async () => {
    await assert.rejects(echo.client.say({ text: '', outcome: 'internal' }), { code: grpc.status.INTERNAL });
    const { clientSpan, serverSpan } = await rpcSpans();
    assert.equal(clientSpan?.status.code, SpanStatusCode.ERROR);
    assert.equal(serverSpan.status.code, SpanStatusCode.ERROR);
    assert.equal(serverSpan.status.message, 'database gone');
  });

  for (const outcome of ['throw', 'reject']) {
    it(`a handler that ${outcome}s answers INTERNAL, records the exception, and the server lives on`, async () => {
      await assert.rejects(echo.client.say({ text: '', outcome }), { code: grpc.status.INTERNAL });
      const { serverSpan } = await rpcSpans();
      assert.equal(serverSpan.status.code, SpanStatusCode.ERROR);
      assert.ok(serverSpan.events.some((e) => e.name === 'exception'));
      assert.equal((await echo.client.say({ text: 'still here', outcome: 'ok' })).text, 'still here');
    });
  }

  for (const headers of HOSTILE_CONTEXT_HEADERS) {
    it(`malformed metadata ${JSON.stringify(headers).slice(0, 50)}… starts a new root`, async () => {
      const raw = echoClient(echo.server.target, false);
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(headers)) md.set(k, v);
      try {
        assert.equal((await raw.say({ text: 'x', outcome: 'ok' }, md)).text, 'x');
      } finally {
        raw.close();
      }
      const { serverSpan } = await rpcSpans();
      assert.equal(parentId(serverSpan), undefined);
    });
  }

  it('binary metadata values named like context headers are ignored', async () => {
    const raw = echoClient(echo.server.target, false);
    const md = new grpc.Metadata();
    md.set('traceparent-bin', Buffer.from([0xff, 0x00, 0x13]));
    try {
      await raw.say({ text: 'x', outcome: 'ok' }, md);
    } finally {
      raw.close();
    }
    const { serverSpan } = await rpcSpans();
    assert.equal(parentId(serverSpan), undefined);
  });
});
