import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { traceHttpServer, tracedFetch, withSpan } from '../../packages/tracing/src/index.ts';
import { memoryTracing } from '../support/memory-tracing.ts';

describe('parent-based sampling across services', () => {
  const tracing = memoryTracing({ serviceName: 'edge', sampler: 'parentbased_always_on' });
  let downstreamSaw: string | undefined;
  let downstream: http.Server;
  let edge: http.Server;
  let edgeUrl = '';

  before(async () => {
    downstream = http.createServer(
      traceHttpServer((req, res) => {
        downstreamSaw = req.headers.traceparent as string | undefined;
        res.end('ok');
      }),
    );
    await new Promise<void>((r) => downstream.listen(0, '127.0.0.1', r));
    const downUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
    edge = http.createServer(
      traceHttpServer(async (_req, res) => {
        const r = await tracedFetch(`${downUrl}/next`);
        await r.text();
        res.end('done');
      }),
    );
    await new Promise<void>((r) => edge.listen(0, '127.0.0.1', r));
    edgeUrl = `http://127.0.0.1:${(edge.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of [edge, downstream]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await tracing.shutdown();
  });

  it('a caller that sampled out keeps every downstream hop sampled out, with the same trace id', async () => {
    tracing.reset();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await fetch(`${edgeUrl}/`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-00` } });
    assert.equal(await res.text(), 'done');
    assert.deepEqual(await tracing.spans(), [], 'nothing recorded anywhere');
    assert.match(downstreamSaw ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });

  it('a sampled caller is recorded on every hop', async () => {
    tracing.reset();
    const traceId = '1af7651916cd43dd8448eb211c80319c';
    await (await fetch(`${edgeUrl}/`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } })).text();
    const spans = await tracing.spans();
    assert.deepEqual(spans.map((s) => s.kind).sort(), [SpanKind.SERVER, SpanKind.SERVER, SpanKind.CLIENT].sort());
    for (const s of spans) assert.equal(s.spanContext().traceId, traceId);
    assert.match(downstreamSaw ?? '', /-01$/);
  });
});

describe('ratio sampling', () => {
  it('traceidratio 0.25 keeps roughly a quarter of 4000 root traces', async () => {
    const tracing = memoryTracing({ serviceName: 'ratio', sampler: 'traceidratio', samplerArg: 0.25 });
    let sampledFlags = 0;
    for (let i = 0; i < 4000; i++) {
      withSpan('root', (span) => {
        if (span.spanContext().traceFlags & TraceFlags.SAMPLED) sampledFlags++;
      });
    }
    const recorded = (await tracing.spans()).length;
    await tracing.shutdown();
    // Binomial(4000, 0.25): mean 1000, sd ~27; +-200 is over 7 sd.
    assert.ok(recorded > 800 && recorded < 1200, `recorded ${recorded} of 4000`);
    assert.equal(recorded, sampledFlags);
  });

  it('OTEL_TRACES_SAMPLER=always_off from the environment records nothing, but context still flows', async () => {
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    try {
      const tracing = memoryTracing({ serviceName: 'off' });
      const ids = withSpan('root', (span) => span.spanContext());
      assert.equal(trace.isSpanContextValid(ids), true);
      assert.deepEqual(await tracing.spans(), []);
      await tracing.shutdown();
    } finally {
      delete process.env.OTEL_TRACES_SAMPLER;
    }
  });
});
