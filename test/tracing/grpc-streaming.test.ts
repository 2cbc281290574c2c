import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { withSpan } from '../../packages/tracing/src/index.ts';
import { type SayReply, collectReplies, useEchoServer } from '../support/echo-grpc.ts';
import { memoryTracing, parentId } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'grpc-streaming-test' });

const echo = useEchoServer(tracing);

/** The CLIENT and SERVER spans of `method`, once both have ended. */
async function rpcSpans(method: string): Promise<{ clientSpan: ReadableSpan; serverSpan: ReadableSpan }> {
  const name = `tracewire.test.Echo/${method}`;
  for (let i = 0; i < 500; i++) {
    const spans = (await tracing.spans()).filter((s) => s.name === name);
    const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT);
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
    if (clientSpan && serverSpan) return { clientSpan, serverSpan };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no CLIENT and SERVER span for ${name}`);
}

/** The span's `rpc.message` events as `SENT 1`, `RECEIVED 2`, … in the order they happened. */
function messages(span: ReadableSpan): string[] {
  return span.events
    .filter((e) => e.name === 'rpc.message')
    .map((e) => `${String(e.attributes?.['rpc.message.type'])} ${String(e.attributes?.['rpc.message.id'])}`);
}

const only = (list: string[], type: string) => list.filter((m) => m.startsWith(type));

describe('gRPC streaming RPCs', () => {
  it('server-streaming: one trace, the request RECEIVED once and each reply SENT, numbered per direction', async () => {
    const replies = await withSpan('place-order', () => echo.client.split({ text: 'one two three', outcome: 'ok' }));
    assert.deepEqual(replies.map((r) => r.text), ['one', 'two', 'three']);
    const root = await tracing.one('place-order');
    const { clientSpan, serverSpan } = await rpcSpans('Split');
    assert.equal(parentId(clientSpan), root.spanContext().spanId);
    assert.equal(parentId(serverSpan), clientSpan.spanContext().spanId);
    assert.equal(serverSpan.spanContext().traceId, root.spanContext().traceId);
    assert.deepEqual(messages(serverSpan), ['RECEIVED 1', 'SENT 1', 'SENT 2', 'SENT 3']);
    assert.deepEqual(messages(clientSpan), ['SENT 1', 'RECEIVED 1', 'RECEIVED 2', 'RECEIVED 3']);
    for (const s of [clientSpan, serverSpan]) {
      assert.equal(s.attributes['rpc.method'], 'Split');
      assert.equal(s.attributes['rpc.grpc.status_code'], grpc.status.OK);
      assert.equal(s.status.code, SpanStatusCode.UNSET);
    }
  });

  it('client-streaming: each request RECEIVED by the server, one reply SENT, and the status ends the span', async () => {
    const reply = await withSpan('upload', () =>
      echo.client.collect(['a', 'b', 'c', 'd'].map((text) => ({ text, outcome: 'ok' }))),
    );
    assert.equal(reply.text, 'a b c d');
    const { clientSpan, serverSpan } = await rpcSpans('Collect');
    assert.equal(parentId(serverSpan), clientSpan.spanContext().spanId);
    assert.deepEqual(only(messages(serverSpan), 'RECEIVED'), ['RECEIVED 1', 'RECEIVED 2', 'RECEIVED 3', 'RECEIVED 4']);
    assert.deepEqual(only(messages(serverSpan), 'SENT'), ['SENT 1']);
    assert.deepEqual(only(messages(clientSpan), 'SENT'), ['SENT 1', 'SENT 2', 'SENT 3', 'SENT 4']);
    assert.deepEqual(only(messages(clientSpan), 'RECEIVED'), ['RECEIVED 1']);
    assert.equal(serverSpan.attributes['rpc.grpc.status_code'], grpc.status.OK);
  });

  it('bidi: messages counted both ways, and spans opened in the handler’s data listener nest under the SERVER span', async () => {
    const call = withSpan('chat', () => echo.client.chat());
    const replies = collectReplies(call);
    for (const text of ['hi', 'there', 'you']) call.write({ text, outcome: 'ok' });
    call.end();
    assert.deepEqual((await replies).map((r: SayReply) => r.text), ['hi', 'there', 'you']);
    const { clientSpan, serverSpan } = await rpcSpans('Chat');
    assert.equal(parentId(serverSpan), clientSpan.spanContext().spanId);
    assert.deepEqual(only(messages(serverSpan), 'RECEIVED'), ['RECEIVED 1', 'RECEIVED 2', 'RECEIVED 3']);
    assert.deepEqual(only(messages(serverSpan), 'SENT'), ['SENT 1', 'SENT 2', 'SENT 3']);
    assert.deepEqual(only(messages(clientSpan), 'SENT'), ['SENT 1', 'SENT 2', 'SENT 3']);
    assert.deepEqual(only(messages(clientSpan), 'RECEIVED'), ['RECEIVED 1', 'RECEIVED 2', 'RECEIVED 3']);
    const handled = (await tracing.spans()).filter((s) => s.name === 'handle-message');
    assert.equal(handled.length, 3);
    for (const h of handled) assert.equal(parentId(h), serverSpan.spanContext().spanId);
  });

  it('a stream the server fails with INTERNAL mid-way: both spans ERROR, with what was sent before', async () => {
    await assert.rejects(echo.client.split({ text: 'one two', outcome: 'internal' }), { code: grpc.status.INTERNAL });
    const { clientSpan, serverSpan } = await rpcSpans('Split');
    assert.equal(serverSpan.status.code, SpanStatusCode.ERROR);
    assert.equal(serverSpan.status.message, 'database gone');
    assert.equal(serverSpan.attributes['rpc.grpc.status_code'], grpc.status.INTERNAL);
    assert.equal(clientSpan.status.code, SpanStatusCode.ERROR);
    assert.deepEqual(only(messages(serverSpan), 'SENT'), ['SENT 1', 'SENT 2']);
  });

  it('a streaming handler that throws answers INTERNAL, records the exception, and the server lives on', async () => {
    await assert.rejects(echo.client.split({ text: 'x', outcome: 'throw' }), { code: grpc.status.INTERNAL });
    const { serverSpan } = await rpcSpans('Split');
    assert.equal(serverSpan.status.code, SpanStatusCode.ERROR);
    assert.ok(serverSpan.events.some((e) => e.name === 'exception' && e.attributes?.['exception.message'] === 'handler threw'));
    tracing.reset();
    assert.deepEqual((await echo.client.split({ text: 'still here', outcome: 'ok' })).map((r) => r.text), ['still', 'here']);
  });

  it('a client-streaming NOT_FOUND fails the CLIENT span only (caller error)', async () => {
    await assert.rejects(echo.client.collect([{ text: 'x', outcome: 'not_found' }]), { code: grpc.status.NOT_FOUND });
    const { clientSpan, serverSpan } = await rpcSpans('Collect');
    assert.equal(clientSpan.status.code, SpanStatusCode.ERROR);
    assert.equal(serverSpan.status.code, SpanStatusCode.UNSET);
    assert.equal(serverSpan.attributes['rpc.grpc.status_code'], grpc.status.NOT_FOUND);
  });

  it('a bidi stream the client cancels while the server still streams ends the SERVER span as CANCELLED, not as a server error', async () => {
    const call = echo.client.chat();
    const first = new Promise((resolve) => call.once('data', resolve));
    call.on('error', () => {});
    call.write({ text: 'hello', outcome: 'hold' });
    await first;
    call.cancel();
    const { clientSpan, serverSpan } = await rpcSpans('Chat');
    assert.equal(serverSpan.attributes['rpc.grpc.status_code'], grpc.status.CANCELLED);
    assert.equal(serverSpan.status.code, SpanStatusCode.UNSET);
    assert.equal(clientSpan.attributes['rpc.grpc.status_code'], grpc.status.CANCELLED);
  });

  it('unary calls keep their spans without message events', async () => {
    await echo.client.say({ text: 'hi', outcome: 'ok' });
    const { clientSpan, serverSpan } = await rpcSpans('Say');
    assert.deepEqual(messages(clientSpan), []);
    assert.deepEqual(messages(serverSpan), []);
  });
});
