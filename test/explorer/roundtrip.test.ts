/**
 * Spans exported by @tracewire/tracing over OTLP/gRPC, HTTP/protobuf and
 * HTTP/JSON come back whole through /api/tw/traces/{id} and /api/traces/{id}.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { initTracing } from '@tracewire/tracing';
import type { ApiSpan, CompactTraceView, TraceView } from '../../packages/explorer/src/index.ts';
import { expandCompactView } from '../../packages/explorer/src/ui/lib/compact-trace.ts';
import { getJson, startTestExplorer } from './helpers.ts';

type Ex = Awaited<ReturnType<typeof startTestExplorer>>;

interface Expected {
  traceId: string;
  rootId: string;
  childId: string;
  consumerId: string;
  startNs: bigint;
}

/** Produces root(SERVER) -> child(CLIENT, error, event) and a CONSUMER linked to the child. */
async function exportSample(protocol: 'grpc' | 'http/protobuf' | 'http/json', endpoint: string): Promise<Expected> {
  const tracing = initTracing({
    serviceName: `rt-${protocol.replace('/', '-')}`,
    serviceVersion: '9.9.9',
    resourceAttributes: { 'team.name': 'core', 'team.size': 7 },
    exporter: 'otlp',
    protocol,
    endpoint,
    simpleProcessor: true,
  });
  const tracer = trace.getTracer('roundtrip', '1.2.3');
  // A start time with a non-zero nanosecond part: [seconds, nanos] is exact in the SDK.
  const startNs = 1_750_000_000_123_456_789n;
  const hr = (ns: bigint): [number, number] => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
  const out = await new Promise<Expected>((resolve) => {
    tracer.startActiveSpan('GET /orders/:id', { kind: SpanKind.SERVER, startTime: hr(startNs) }, (root) => {
      const child = tracer.startSpan('charge card', {
        kind: SpanKind.CLIENT,
        startTime: hr(startNs + 1_000_001n),
        attributes: {
          's': 'text <script>alert(1)</script>',
          'i': 42,
          'big': 9_007_199_254_740_991,
          'd': 3.25,
          'b': true,
          'sa': ['x', 'y'],
          'ia': [1, 2, 3],
          'da': [0.5, 1.5],
          'ba': [true, false],
        },
      });
      child.addEvent('retry', { attempt: 2 }, hr(startNs + 1_500_000n));
      child.recordException(new Error('card declined'), hr(startNs + 1_600_000n));
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'declined' });
      child.end(hr(startNs + 2_000_003n));
      const consumer = tracer.startSpan('process payments', {
        kind: SpanKind.CONSUMER,
        startTime: hr(startNs + 3_000_000n),
        links: [{ context: child.spanContext(), attributes: { 'link.reason': 'batch' } }],
      });
      consumer.end(hr(startNs + 4_000_000n));
      root.end(hr(startNs + 5_000_000n));
      resolve({
        traceId: root.spanContext().traceId,
        rootId: root.spanContext().spanId,
        childId: child.spanContext().spanId,
        consumerId: consumer.spanContext().spanId,
        startNs,
      });
    });
  });
  await tracing.forceFlush();
  await tracing.shutdown();
  return out;
}

function attr(span: ApiSpan, key: string) {
  return span.attributes.find((a) => a.key === key);
}

async function waitForTrace(ex: Ex, id: string, count: number): Promise<TraceView> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await getJson<TraceView>(`${ex.url}/api/tw/traces/${id}`);
    if (r.status === 200 && r.body.spans.length >= count) return r.body;
    if (Date.now() > deadline) assert.fail(`trace ${id} did not arrive (status ${r.status})`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

for (const shards of [1, 2]) describe(`explorer round trip from @tracewire/tracing${shards > 1 ? `, store in ${shards} shards` : ''}`, () => {
  let ex: Ex;
  before(async () => {
    ex = await startTestExplorer({ shards });
  });
  after(async () => {
    await ex.close();
  });

  for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as const) {
    it(`keeps every field of spans sent over ${protocol}`, async () => {
      const endpoint = protocol === 'grpc' ? `http://127.0.0.1:${ex.grpcPort}` : `http://127.0.0.1:${ex.httpPort}`;
      const e = await exportSample(protocol, endpoint);
      const view = await waitForTrace(ex, e.traceId, 3);
      assert.equal(view.traceId, e.traceId);
      assert.equal(view.spans.length, 3);
      const root = view.spans.find((s) => s.spanId === e.rootId) as ApiSpan;
      const child = view.spans.find((s) => s.spanId === e.childId) as ApiSpan;
      const consumer = view.spans.find((s) => s.spanId === e.consumerId) as ApiSpan;
      assert.ok(root && child && consumer);
      assert.equal(root.parentSpanId, null);
      assert.equal(child.parentSpanId, e.rootId);
      assert.equal(consumer.parentSpanId, e.rootId);
      assert.equal(root.kind, 'SERVER');
      assert.equal(child.kind, 'CLIENT');
      assert.equal(consumer.kind, 'CONSUMER');
      assert.equal(root.service, `rt-${protocol.replace('/', '-')}`);
      // Nanosecond timestamps survive exactly.
      assert.equal(root.startNs, String(e.startNs));
      assert.equal(root.endNs, String(e.startNs + 5_000_000n));
      assert.equal(child.startNs, String(e.startNs + 1_000_001n));
      assert.equal(child.endNs, String(e.startNs + 2_000_003n));
      assert.equal(child.durationNs, '1000002');
      // Attributes of every type the SDK can carry.
      assert.deepEqual(attr(child, 's'), { key: 's', value: 'text <script>alert(1)</script>', type: 'string' });
      assert.deepEqual(attr(child, 'i'), { key: 'i', value: 42, type: 'int' });
      assert.deepEqual(attr(child, 'big'), { key: 'big', value: 9_007_199_254_740_991, type: 'int' });
      assert.deepEqual(attr(child, 'd'), { key: 'd', value: 3.25, type: 'double' });
      assert.deepEqual(attr(child, 'b'), { key: 'b', value: true, type: 'bool' });
      assert.deepEqual(attr(child, 'sa'), { key: 'sa', value: ['x', 'y'], type: 'array' });
      assert.deepEqual(attr(child, 'ia'), { key: 'ia', value: [1, 2, 3], type: 'array' });
      assert.deepEqual(attr(child, 'da'), { key: 'da', value: [0.5, 1.5], type: 'array' });
      assert.deepEqual(attr(child, 'ba'), { key: 'ba', value: [true, false], type: 'array' });
      assert.deepEqual(child.status, { code: 'ERROR', message: 'declined' });
      // Events with their times and attributes, exceptions included.
      assert.equal(child.events.length, 2);
      assert.deepEqual(child.events[0], { timeNs: String(e.startNs + 1_500_000n), name: 'retry', attributes: [{ key: 'attempt', value: 2, type: 'int' }] });
      assert.equal(child.events[1]?.name, 'exception');
      assert.ok(child.events[1]?.attributes.some((a) => a.key === 'exception.message' && a.value === 'card declined'));
      assert.ok(child.events[1]?.attributes.some((a) => a.key === 'exception.stacktrace' && String(a.value).includes('card declined')));
      // Links with attributes.
      assert.deepEqual(consumer.links, [{ traceId: e.traceId, spanId: e.childId, attributes: [{ key: 'link.reason', value: 'batch', type: 'string' }] }]);
      // Resource and scope.
      assert.ok(root.resource.some((a) => a.key === 'service.version' && a.value === '9.9.9'));
      assert.ok(root.resource.some((a) => a.key === 'team.name' && a.value === 'core'));
      assert.ok(root.resource.some((a) => a.key === 'team.size' && a.value === 7 && a.type === 'int'));
      assert.deepEqual(root.scope, { name: 'roundtrip', version: '1.2.3' });
      assert.equal(view.summary.spanCount, 3);
      assert.equal(view.summary.errorCount, 1);
      assert.equal(view.summary.depth, 2);
      assert.equal(view.summary.durationNs, '5000000');
      assert.equal(view.criticalPath[0], e.rootId);
      // The web UI's compact shape says the same once expanded.
      const compact = await getJson<CompactTraceView>(`${ex.url}/api/tw/traces/${e.traceId}?shape=compact`);
      assert.equal(compact.status, 200);
      assert.equal(compact.body.shape, 'compact');
      assert.deepEqual(expandCompactView(compact.body), view);

      // The same trace through the Jaeger v1 API.
      const j = await getJson<{ data: Array<{ traceID: string; spans: Array<Record<string, any>>; processes: Record<string, any> }> }>(
        `${ex.url}/api/traces/${e.traceId}`,
      );
      assert.equal(j.status, 200);
      const jt = j.body.data[0];
      assert.ok(jt);
      assert.equal(jt.traceID, e.traceId);
      const jchild = jt.spans.find((s) => s.spanID === e.childId);
      const jconsumer = jt.spans.find((s) => s.spanID === e.consumerId);
      assert.ok(jchild && jconsumer);
      assert.equal(jchild.operationName, 'charge card');
      assert.deepEqual(jchild.references, [{ refType: 'CHILD_OF', traceID: e.traceId, spanID: e.rootId }]);
      assert.deepEqual(jconsumer.references[1], { refType: 'FOLLOWS_FROM', traceID: e.traceId, spanID: e.childId });
      assert.equal(jchild.startTime, Number((e.startNs + 1_000_001n) / 1000n));
      assert.equal(jchild.duration, 1000);
      const tags = jchild.tags as Array<{ key: string; type: string; value: unknown }>;
      assert.deepEqual(tags.find((t) => t.key === 'i'), { key: 'i', type: 'int64', value: 42 });
      assert.deepEqual(tags.find((t) => t.key === 'd'), { key: 'd', type: 'float64', value: 3.25 });
      assert.deepEqual(tags.find((t) => t.key === 'span.kind'), { key: 'span.kind', type: 'string', value: 'client' });
      assert.deepEqual(tags.find((t) => t.key === 'error'), { key: 'error', type: 'bool', value: true });
      assert.deepEqual(tags.find((t) => t.key === 'otel.status_code'), { key: 'otel.status_code', type: 'string', value: 'ERROR' });
      assert.equal(jchild.logs.length, 2);
      assert.equal(jchild.logs[0].fields[0].value, 'retry');
      assert.equal(jt.processes[jchild.processID].serviceName, `rt-${protocol.replace('/', '-')}`);
    });
  }

  it('answers 400 naming the parameter to a trace shape it does not know', async () => {
    const r = await getJson<{ error: string; parameter: string }>(`${ex.url}/api/tw/traces/${'ab'.repeat(16)}?shape=tiny`);
    assert.equal(r.status, 400);
    assert.equal(r.body.parameter, 'shape');
  });
});
