import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initTracing, withSpan } from '../../packages/tracing/src/index.ts';
import type { OtlpProtocol } from '../../packages/tracing/src/index.ts';
import { type OtlpSink, startOtlpSink } from '../support/otlp-sink.ts';

let sink: OtlpSink;
before(async () => {
  sink = await startOtlpSink();
});
after(() => sink.close());

describe('export and shutdown', () => {
  it('shutdown() exports every span still queued in the batch processor', async () => {
    const tracing = initTracing({
      serviceName: 'queued',
      protocol: 'http/json',
      endpoint: sink.url,
      batch: { scheduledDelayMillis: 60_000, maxExportBatchSize: 512 },
    });
    for (let i = 0; i < 50; i++) withSpan(`work-${i}`, () => undefined);
    assert.equal(sink.spans().filter((s) => s.service === 'queued').length, 0, 'nothing sent before shutdown');
    await tracing.shutdown();
    const sent = sink.spans().filter((s) => s.service === 'queued');
    assert.equal(sent.length, 50);
    assert.deepEqual(tracing.stats(), { exported: 50, failed: 0, dropped: 0, queued: 0 });
  });

  it('the resource names the service, its version, environment and host/process', async () => {
    const tracing = initTracing({
      serviceName: 'resourceful',
      serviceVersion: '1.2.3',
      environment: 'ci',
      protocol: 'http/json',
      endpoint: sink.url,
    });
    withSpan('x', () => undefined);
    await tracing.shutdown();
    const attrs = tracing.resource.attributes;
    assert.equal(attrs['service.name'], 'resourceful');
    assert.equal(attrs['service.version'], '1.2.3');
    assert.equal(attrs['deployment.environment.name'], 'ci');
    assert.equal(typeof attrs['host.name'], 'string');
    assert.equal(attrs['process.pid'], process.pid);
    assert.ok(sink.spans().some((s) => s.service === 'resourceful'));
  });

  for (const protocol of ['grpc', 'http/protobuf', 'http/json'] satisfies OtlpProtocol[]) {
    it(`an unreachable collector (${protocol}) neither blocks nor crashes; failures are counted`, async () => {
      const tracing = initTracing({
        serviceName: 'lonely',
        protocol,
        endpoint: 'http://127.0.0.1:1',
        exportTimeoutMillis: 500,
        batch: { scheduledDelayMillis: 10 },
      });
      for (let i = 0; i < 20; i++) withSpan('work', () => undefined);
      await tracing.forceFlush();
      await tracing.shutdown();
      const stats = tracing.stats();
      assert.equal(stats.exported, 0);
      assert.equal(stats.failed, 20);
    });
  }

  it('a full queue drops and counts spans instead of growing without bound', async () => {
    const tracing = initTracing({
      serviceName: 'flooded',
      protocol: 'http/json',
      endpoint: 'http://127.0.0.1:1',
      exportTimeoutMillis: 200,
      batch: { scheduledDelayMillis: 60_000, maxQueueSize: 10, maxExportBatchSize: 10 },
    });
    for (let i = 0; i < 100; i++) withSpan('work', () => undefined);
    assert.ok(tracing.stats().queued <= 10, `queued ${tracing.stats().queued}`);
    await tracing.shutdown();
    const { exported, failed, dropped, queued } = tracing.stats();
    assert.ok(dropped > 0);
    assert.equal(queued, 0);
    assert.equal(exported + failed + dropped, 100, 'every span is accounted for');
  });

  it('shutdown() is idempotent and never throws', async () => {
    const tracing = initTracing({ serviceName: 'twice', exporter: 'none' });
    await tracing.shutdown();
    await tracing.shutdown();
  });
});
