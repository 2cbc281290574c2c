import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { countJsonSpans, countProtobufSpans } from '../../bench/support/otlp-count.ts';

function spans(n: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'count', 'process.pid': 1 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  for (let i = 0; i < n; i++) {
    const scope = provider.getTracer(i % 2 ? 'a' : 'b');
    const s = scope.startSpan(`op-${i}`, { attributes: { i, big: 'x'.repeat(300) } });
    s.addEvent('e', { k: 1.5 });
    s.end();
  }
  return exporter.getFinishedSpans();
}

describe('OTLP span counting', () => {
  it('counts every span of a protobuf request from the official serializer, across scopes', () => {
    for (const n of [0, 1, 7, 300]) {
      const body = ProtobufTraceSerializer.serializeRequest(spans(n)) as Uint8Array;
      assert.equal(countProtobufSpans(body), n);
    }
  });

  it('counts every span of a JSON request from the official serializer', () => {
    const body = JsonTraceSerializer.serializeRequest(spans(5)) as Uint8Array;
    assert.equal(countJsonSpans(Buffer.from(body).toString()), 5);
  });

  it('throws RangeError on a truncated protobuf body instead of miscounting', () => {
    const body = ProtobufTraceSerializer.serializeRequest(spans(3)) as Uint8Array;
    assert.throws(() => countProtobufSpans(body.subarray(0, body.length - 5)), RangeError);
  });
});
