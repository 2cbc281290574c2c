/**
 * `initTracing`: the TypeScript counterpart of the guide's `InitTracer`. One
 * call builds the resource, exporter, batching, sampler and W3C propagators on
 * the OpenTelemetry JS SDK and registers them globally.
 */
import { context, diag, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OfficialGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OfficialProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  type Resource,
  defaultResource,
  detectResources,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type ResolvedConfig, type TracingOptions, resolveConfig } from './config.ts';
import { OtlpGrpcExporter, OtlpHttpProtoExporter } from './otlp-exporter.ts';
import { PreciseStartProcessor } from './precise-start.ts';
import { createPropagator } from './propagation.ts';
import { createSampler } from './sampler.ts';
import { resetTracer } from './span.ts';
import { BoundedProcessor, CountingExporter, type ExportStats, StatsCollector } from './stats.ts';

export interface InitTracingOptions extends TracingOptions {
  /**
   * Use this exporter instead of the one `exporter`/`protocol` select (tests
   * pass an InMemorySpanExporter here).
   */
  spanExporter?: SpanExporter;
  /** Export each span as it ends instead of batching (tests, short scripts). */
  simpleProcessor?: boolean;
  /** Extra processors that run before export (e.g. to enrich spans). */
  spanProcessors?: SpanProcessor[];
}

export interface TracingHandle {
  readonly config: ResolvedConfig;
  readonly resource: Resource;
  /** Exports every span still queued; never throws. */
  forceFlush(): Promise<void>;
  /** Flushes queued spans, stops the exporter and unregisters the globals; never throws. */
  shutdown(): Promise<void>;
  /** Counts of exported, failed and dropped spans since start. */
  stats(): Readonly<ExportStats>;
}

function buildResource(config: ResolvedConfig): Resource {
  const attributes: Record<string, string | number | boolean> = {
    ...config.resourceAttributes,
    'service.name': config.serviceName,
  };
  if (config.serviceVersion) attributes['service.version'] = config.serviceVersion;
  if (config.environment) attributes['deployment.environment.name'] = config.environment;
  return defaultResource()
    .merge(detectResources({ detectors: [hostDetector, processDetector] }))
    .merge(resourceFromAttributes(attributes));
}

function buildExporter(config: ResolvedConfig): SpanExporter | undefined {
  switch (config.exporter) {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp': {
      const timeoutMillis = config.exportTimeoutMillis;
      const lean = config.otlpEncoder === 'tracewire';
      if (config.protocol === 'grpc') {
        const options = { url: config.endpoint, timeoutMillis };
        return lean ? new OtlpGrpcExporter(options) : new OfficialGrpcExporter(options);
      }
      const url = `${config.endpoint}/v1/traces`;
      if (config.protocol === 'http/json') return new OtlpJsonExporter({ url, timeoutMillis });
      return lean ? new OtlpHttpProtoExporter({ url, timeoutMillis }) : new OfficialProtoExporter({ url, timeoutMillis });
    }
  }
}

/**
 * Sets up tracing for this process and returns a handle to flush and stop it.
 * Invalid settings throw a `TracingConfigError` naming the field.
 *
 * @example
 * const tracing = initTracing({ serviceName: 'orders', serviceVersion: '1.0.0' });
 * process.on('SIGTERM', () => tracing.shutdown().then(() => process.exit(0)));
 */
export function initTracing(options: InitTracingOptions = {}): TracingHandle {
  const config = resolveConfig(options);
  const resource = buildResource(config);
  // No diag logger is installed by default, so a diag-only warning would never
  // be seen: drops also go to stderr as a process warning (one per 10 s burst).
  const collector = new StatsCollector((message) => {
    diag.warn(message);
    process.emitWarning(message, 'TracewireWarning');
  });
  const exporter = options.spanExporter ?? buildExporter(config);

  // First, so every other processor and the exporter see the precise start.
  const processors: SpanProcessor[] = [new PreciseStartProcessor(), ...(options.spanProcessors ?? [])];
  if (exporter) {
    const counted = new CountingExporter(exporter, collector);
    const inner = options.simpleProcessor ? new SimpleSpanProcessor(counted) : new BatchSpanProcessor(counted, config.batch);
    processors.push(
      new BoundedProcessor(inner, config.batch.maxQueueSize, collector, resource.waitForAsyncAttributes?.() ?? Promise.resolve()),
    );
  }

  const provider = new NodeTracerProvider({
    resource,
    sampler: createSampler(config.sampler, config.samplerArg),
    spanLimits: config.spanLimits,
    spanProcessors: processors,
  });
  // A previous registration (tests, hot reload) would otherwise win silently.
  trace.disable();
  propagation.disable();
  context.disable();
  resetTracer();
  provider.register({ propagator: createPropagator(config.baggageAllowList) });

  let stopped: Promise<void> | undefined;
  return {
    config,
    resource,
    stats: () => ({ ...collector.stats }),
    forceFlush: () => provider.forceFlush().catch((err: unknown) => diag.error('tracewire: flush failed', err)),
    shutdown: () => {
      stopped ??= provider
        .shutdown()
        .catch((err: unknown) => diag.error('tracewire: shutdown failed', err))
        .finally(() => {
          trace.disable();
          propagation.disable();
          context.disable();
          resetTracer();
        });
      return stopped;
    },
  };
}
