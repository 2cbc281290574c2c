import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TracingConfigError, parseResourceAttributes, resolveConfig } from './config.ts';
import { initTracing } from './init.ts';

const throwsField = (fn: () => unknown, field: string): void =>
  assert.throws(fn, (e: unknown) => e instanceof TracingConfigError && e.field === field && e.message.startsWith(field));

describe('resolveConfig', () => {
  it('defaults to OTLP/HTTP protobuf on 127.0.0.1:4318, parent-based always-on, SDK batch defaults', () => {
    const c = resolveConfig({ serviceName: 's' }, {});
    assert.equal(c.exporter, 'otlp');
    assert.equal(c.protocol, 'http/protobuf');
    assert.equal(c.endpoint, 'http://127.0.0.1:4318');
    assert.equal(c.sampler, 'parentbased_always_on');
    assert.deepEqual(c.batch, { scheduledDelayMillis: 5000, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMillis: 30000 });
  });

  it("encodes OTLP protobuf with the library's encoder unless TRACEWIRE_OTLP_ENCODER or otlpEncoder says official", () => {
    assert.equal(resolveConfig({ serviceName: 's' }, {}).otlpEncoder, 'tracewire');
    assert.equal(resolveConfig({ serviceName: 's' }, { TRACEWIRE_OTLP_ENCODER: 'official' }).otlpEncoder, 'official');
    assert.equal(resolveConfig({ serviceName: 's', otlpEncoder: 'tracewire' }, { TRACEWIRE_OTLP_ENCODER: 'official' }).otlpEncoder, 'tracewire');
    throwsField(() => resolveConfig({ serviceName: 's' }, { TRACEWIRE_OTLP_ENCODER: 'fast' }), 'TRACEWIRE_OTLP_ENCODER');
  });

  it('OTLP/gRPC, when chosen, defaults to port 4317', () => {
    const c = resolveConfig({ serviceName: 's' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    assert.equal(c.protocol, 'grpc');
    assert.equal(c.endpoint, 'http://127.0.0.1:4317');
  });

  it('reads the standard OTEL_* variables', () => {
    const c = resolveConfig(
      {},
      {
        OTEL_SERVICE_NAME: 'orders',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50',
        OTEL_RESOURCE_ATTRIBUTES: 'service.version=2.0,deployment.environment.name=prod,team=a%20b',
        OTEL_TRACES_EXPORTER: 'console',
      },
    );
    assert.equal(c.serviceName, 'orders');
    assert.equal(c.protocol, 'http/protobuf');
    assert.equal(c.endpoint, 'http://collector:4318');
    assert.equal(c.sampler, 'parentbased_traceidratio');
    assert.equal(c.samplerArg, 0.1);
    assert.equal(c.batch.scheduledDelayMillis, 200);
    assert.equal(c.batch.maxQueueSize, 100);
    assert.equal(c.batch.maxExportBatchSize, 50);
    assert.equal(c.serviceVersion, '2.0');
    assert.equal(c.environment, 'prod');
    assert.equal(c.resourceAttributes.team, 'a b');
    assert.equal(c.exporter, 'console');
  });

  it('code options override the environment', () => {
    const c = resolveConfig(
      { serviceName: 'code', sampler: 'always_off', endpoint: 'http://127.0.0.1:9999', protocol: 'http/json' },
      { OTEL_SERVICE_NAME: 'env', OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    );
    assert.equal(c.serviceName, 'code');
    assert.equal(c.sampler, 'always_off');
    assert.equal(c.endpoint, 'http://127.0.0.1:9999');
    assert.equal(c.protocol, 'http/json');
  });

  it('names the bad field in every validation error', () => {
    throwsField(() => resolveConfig({}, {}), 'serviceName');
    throwsField(() => resolveConfig({ serviceName: 's' }, { OTEL_TRACES_SAMPLER: 'sometimes' }), 'OTEL_TRACES_SAMPLER');
    throwsField(() => resolveConfig({ serviceName: 's', samplerArg: 1.5 }, {}), 'samplerArg');
    throwsField(() => resolveConfig({ serviceName: 's' }, { OTEL_TRACES_SAMPLER_ARG: 'half' }), 'OTEL_TRACES_SAMPLER_ARG');
    throwsField(() => resolveConfig({ serviceName: 's' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }), 'OTEL_EXPORTER_OTLP_ENDPOINT');
    throwsField(() => resolveConfig({ serviceName: 's', endpoint: 'ftp://x' }, {}), 'endpoint');
    throwsField(() => resolveConfig({ serviceName: 's' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' }), 'OTEL_EXPORTER_OTLP_PROTOCOL');
    throwsField(() => resolveConfig({ serviceName: 's' }, { OTEL_BSP_MAX_QUEUE_SIZE: '-1' }), 'batch.maxQueueSize');
    throwsField(() => resolveConfig({ serviceName: 's', batch: { maxQueueSize: 10, maxExportBatchSize: 20 } }, {}), 'batch.maxExportBatchSize');
    throwsField(() => resolveConfig({ serviceName: 's' }, { OTEL_TRACES_EXPORTER: 'zipkin' }), 'OTEL_TRACES_EXPORTER');
    throwsField(() => parseResourceAttributes('novalue'), 'OTEL_RESOURCE_ATTRIBUTES');
  });

  it('initTracing fails fast on invalid config, before registering anything', () => {
    throwsField(() => initTracing({ serviceName: 's', sampler: 'bogus' as never }), 'sampler');
  });
});
