/**
 * The EncodingSpanProcessor (spans encoded to OTLP protobuf as they end),
 * over real sockets: what it sends, when, and that no span goes unaccounted.
 * The receiver is a plain HTTP server that keeps each request body.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { countProtobufSpans } from '../../bench/support/otlp-count.ts';
import { EncodingSpanProcessor } from '../../packages/tracing/src/encoding-processor.ts';
import { initTracing, withSpan } from '../../packages/tracing/src/index.ts';
import { OtlpBatchSender } from '../../packages/tracing/src/otlp-exporter.ts';
import { StatsCollector } from '../../packages/tracing/src/stats.ts';

interface Receiver {
  url: string;
  bodies: Buffer[];
  /** Requests being answered at once, at most. */
  maxConcurrent: number;
  /** Resolves once `n` bodies have arrived. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Answers every OTLP/HTTP request with success after `delayMs`. */
async function startReceiver(delayMs = 0): Promise<Receiver> {
  const bodies: Buffer[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let open = 0;
  const r = { bodies, maxConcurrent: 0 } as Receiver;
  const server = http.createServer((req, res) => {
    open++;
    r.maxConcurrent = Math.max(r.maxConcurrent, open);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        open--;
        bodies.push(Buffer.concat(chunks));
        for (const w of waiters.filter((x) => bodies.length >= x.n)) w.resolve();
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.received = (n) => (bodies.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })));
  r.close = () => new Promise((resolve) => server.close(() => resolve()));
  return r;
}

const batchDefaults = { scheduledDelayMillis: 60_000, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMillis: 10_000 };

/** A provider whose spans go to an EncodingSpanProcessor sending to `url`, and a copy of each ended span. */
function pipeline(url: string, batch: Partial<typeof batchDefaults> = {}) {
  const collector = new StatsCollector(() => undefined);
  const options = { ...batchDefaults, ...batch };
  const sender = new OtlpBatchSender('http/protobuf', { url: `${url}/v1/traces`, timeoutMillis: options.exportTimeoutMillis });
  const processor = new EncodingSpanProcessor(sender, options, collector);
  const ended: ReadableSpan[] = [];
  const copy = { onStart() {}, onEnd: (s: ReadableSpan) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'enc-test' }), spanProcessors: [copy, processor] });
  return { processor, collector, ended, tracer: provider.getTracer('t', '1.0.0'), other: provider.getTracer('u') };
}

let receiver: Receiver;
before(async () => {
  receiver = await startReceiver();
});
after(() => receiver.close());

describe('EncodingSpanProcessor', () => {
  it('sends a batch as exactly the bytes the official serializer writes for its spans', async () => {
    const bodies = receiver.bodies.length;
    const p = pipeline(receiver.url);
    for (let i = 0; i < 40; i++) {
      const tracer = i % 3 ? p.tracer : p.other;
      const span = tracer.startSpan(`op-${i % 4}`, { kind: SpanKind.SERVER, attributes: { i, 'order.id': `o-${i}`, 'ünï': 'cødé' } });
      if (i % 7 === 0) span.addEvent('retry', { attempt: 2 });
      span.end();
    }
    await p.processor.forceFlush();
    assert.equal(receiver.bodies.length, bodies + 1);
    assert.deepEqual(receiver.bodies.at(-1), Buffer.from(ProtobufTraceSerializer.serializeRequest(p.ended) as Uint8Array));
    assert.deepEqual({ ...p.collector.stats }, { exported: 40, failed: 0, dropped: 0, queued: 0 });
  });

  it('sends a full batch at once, and one request at a time', async () => {
    const slow = await startReceiver(30);
    try {
      const p = pipeline(slow.url, { maxExportBatchSize: 10 });
      for (let i = 0; i < 35; i++) p.tracer.startSpan('work').end();
      await slow.received(3);
      assert.equal(p.collector.stats.queued, 5, 'the last 5 wait for the schedule or a flush');
      await p.processor.forceFlush();
      assert.deepEqual(slow.bodies.map(countProtobufSpans), [10, 10, 10, 5]);
      assert.equal(slow.maxConcurrent, 1);
    } finally {
      await slow.close();
    }
  });

  it('sends what has ended when the schedule delay passes, without a flush', async () => {
    const bodies = receiver.bodies.length;
    const p = pipeline(receiver.url, { scheduledDelayMillis: 20 });
    p.tracer.startSpan('lonely').end();
    await receiver.received(bodies + 1);
    assert.equal(countProtobufSpans(receiver.bodies.at(-1) as Buffer), 1);
  });

  it('drops and counts spans beyond the queue bound; every span is accounted for', async () => {
    const p = pipeline('http://127.0.0.1:1', { maxQueueSize: 10, maxExportBatchSize: 10, exportTimeoutMillis: 200 });
    for (let i = 0; i < 100; i++) p.tracer.startSpan('work').end();
    assert.ok(p.collector.stats.queued <= 10);
    await p.processor.shutdown();
    const { exported, failed, dropped, queued } = p.collector.stats;
    assert.ok(dropped > 0);
    assert.equal(queued, 0);
    assert.equal(exported + failed + dropped, 100);
  });

  it('is what initTracing uses for OTLP/HTTP protobuf; shutdown exports every queued span, with the detected resource', async () => {
    const bodies = receiver.bodies.length;
    const tracing = initTracing({ serviceName: 'queued-proto', endpoint: receiver.url, batch: { scheduledDelayMillis: 60_000 } });
    for (let i = 0; i < 50; i++) withSpan(`work-${i}`, () => undefined);
    assert.equal(receiver.bodies.length, bodies, 'nothing sent before shutdown');
    await tracing.shutdown();
    const sent = receiver.bodies.slice(bodies);
    assert.equal(sent.reduce((n, b) => n + countProtobufSpans(b), 0), 50);
    assert.deepEqual(tracing.stats(), { exported: 50, failed: 0, dropped: 0, queued: 0 });
    const text = Buffer.concat(sent).toString('latin1');
    for (const expected of ['queued-proto', 'host.name', 'process.pid']) assert.ok(text.includes(expected), expected);
  });
});
