/**
 * Resolves tracing settings the OpenTelemetry way: explicit option, then the
 * standard `OTEL_*` environment variable, then the default. Every value is
 * validated here so a bad setting fails at start-up with the field's name,
 * never later inside an export.
 *
 * Env vars: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */

export type ExporterKind = 'otlp' | 'console' | 'none';
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
/** Who writes OTLP protobuf: this library's one-pass encoder, or `@opentelemetry/otlp-transformer`'s (same bytes). */
export type OtlpEncoder = 'tracewire' | 'official';
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface BatchOptions {
  /** Delay between two exports, ms (OTEL_BSP_SCHEDULE_DELAY, default 5000). */
  scheduledDelayMillis?: number;
  /** Spans held before new ones are dropped (OTEL_BSP_MAX_QUEUE_SIZE, default 2048). */
  maxQueueSize?: number;
  /** Spans per export request (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, default 512). */
  maxExportBatchSize?: number;
  /** Time one export may take, ms (OTEL_BSP_EXPORT_TIMEOUT, default 30000). */
  exportTimeoutMillis?: number;
}

/** Span limits (https://opentelemetry.io/docs/specs/otel/trace/sdk/#span-limits). */
export interface SpanLimitOptions {
  attributeCountLimit?: number;
  attributeValueLengthLimit?: number;
  eventCountLimit?: number;
  linkCountLimit?: number;
  attributePerEventCountLimit?: number;
  attributePerLinkCountLimit?: number;
}

export interface TracingOptions {
  serviceName?: string;
  serviceVersion?: string;
  /** `deployment.environment.name` resource attribute. */
  environment?: string;
  /** Extra resource attributes; OTEL_RESOURCE_ATTRIBUTES is merged under them. */
  resourceAttributes?: Record<string, string | number | boolean>;
  exporter?: ExporterKind;
  protocol?: OtlpProtocol;
  /** Collector base URL: http://127.0.0.1:4318 (HTTP, the default protocol) or http://127.0.0.1:4317 (gRPC). */
  endpoint?: string;
  /** Per-request export timeout, ms (OTEL_EXPORTER_OTLP_TIMEOUT, default 10000). */
  exportTimeoutMillis?: number;
  /**
   * Protobuf encoder for OTLP/HTTP protobuf and OTLP/gRPC (TRACEWIRE_OTLP_ENCODER, default
   * 'tracewire': the same bytes at less than half the CPU; docs/performance.md, section 2).
   */
  otlpEncoder?: OtlpEncoder;
  sampler?: SamplerName;
  /** Ratio for the traceidratio samplers, in [0, 1]. */
  samplerArg?: number;
  batch?: BatchOptions;
  /** Caps on what one span may hold; OTEL_SPAN_*_LIMIT, OTEL_EVENT/LINK_ATTRIBUTE_COUNT_LIMIT. */
  spanLimits?: SpanLimitOptions;
  /**
   * Baggage keys that may leave this process on outgoing requests; `undefined`
   * propagates all. Baggage is user-controlled input: keep secrets out of it.
   */
  baggageAllowList?: readonly string[];
}

export interface ResolvedConfig {
  serviceName: string;
  serviceVersion: string | undefined;
  environment: string | undefined;
  resourceAttributes: Record<string, string | number | boolean>;
  exporter: ExporterKind;
  protocol: OtlpProtocol;
  endpoint: string;
  exportTimeoutMillis: number;
  otlpEncoder: OtlpEncoder;
  sampler: SamplerName;
  samplerArg: number;
  batch: Required<BatchOptions>;
  spanLimits: Required<SpanLimitOptions>;
  baggageAllowList: readonly string[] | undefined;
}

/** Thrown by `initTracing` for an invalid setting; `field` names the option or variable. */
export class TracingConfigError extends Error {
  override readonly name = 'TracingConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const EXPORTERS: readonly ExporterKind[] = ['otlp', 'console', 'none'];
const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];
const ENCODERS: readonly OtlpEncoder[] = ['tracewire', 'official'];

function envString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new TracingConfigError(field, `"${value}" is not one of ${allowed.join(', ')}`);
}

function integer(field: string, value: number | string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new TracingConfigError(field, `expected an integer >= ${min}, got "${String(value)}"`);
  }
  return n;
}

function ratio(field: string, value: number | string | undefined): number {
  if (value === undefined) return 1;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new TracingConfigError(field, `expected a number between 0 and 1, got "${String(value)}"`);
  }
  return n;
}

function url(field: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TracingConfigError(field, `"${value}" is not a URL (expected e.g. http://127.0.0.1:4318)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TracingConfigError(field, `"${value}" must use http or https`);
  }
  return value.replace(/\/+$/, '');
}

/** Parses OTEL_RESOURCE_ATTRIBUTES (`k1=v1,k2=v2`, values percent-encoded). */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new TracingConfigError('OTEL_RESOURCE_ATTRIBUTES', `"${pair}" is not key=value`);
    const key = pair.slice(0, eq).trim();
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new TracingConfigError('OTEL_RESOURCE_ATTRIBUTES', `value of "${key}" is not percent-encoded correctly`);
    }
  }
  return out;
}

export function resolveConfig(options: TracingOptions = {}, env: Env = process.env): ResolvedConfig {
  const envResource = parseResourceAttributes(envString(env, 'OTEL_RESOURCE_ATTRIBUTES'));
  const serviceName = options.serviceName ?? envString(env, 'OTEL_SERVICE_NAME') ?? envResource['service.name'];
  if (serviceName === undefined || serviceName.trim() === '') {
    throw new TracingConfigError('serviceName', 'required (pass serviceName or set OTEL_SERVICE_NAME)');
  }

  const exporterRaw = options.exporter ?? envString(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp';
  const exporter = oneOf(options.exporter ? 'exporter' : 'OTEL_TRACES_EXPORTER', exporterRaw, EXPORTERS);

  // http/protobuf by default: the spec's default transport, accepted by every
  // common backend (some OTLP endpoints take HTTP only), and the cheapest for
  // the service in bench/service-overhead.ts (docs/performance.md, section 2).
  // https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specify-protocol
  const protocolRaw =
    options.protocol ??
    envString(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ??
    envString(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ??
    'http/protobuf';
  const protocol = oneOf(options.protocol ? 'protocol' : 'OTEL_EXPORTER_OTLP_PROTOCOL', protocolRaw, PROTOCOLS);

  const endpointField = options.endpoint ? 'endpoint' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const endpoint = url(
    endpointField,
    options.endpoint ??
      envString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ??
      (protocol === 'grpc' ? 'http://127.0.0.1:4317' : 'http://127.0.0.1:4318'),
  );

  const samplerRaw = options.sampler ?? envString(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  const sampler = oneOf(options.sampler ? 'sampler' : 'OTEL_TRACES_SAMPLER', samplerRaw, SAMPLERS);
  const samplerArg = ratio(
    options.samplerArg !== undefined ? 'samplerArg' : 'OTEL_TRACES_SAMPLER_ARG',
    options.samplerArg ?? envString(env, 'OTEL_TRACES_SAMPLER_ARG'),
  );

  const b = options.batch ?? {};
  const batch: Required<BatchOptions> = {
    scheduledDelayMillis: integer(
      'batch.scheduledDelayMillis',
      b.scheduledDelayMillis ?? envString(env, 'OTEL_BSP_SCHEDULE_DELAY'),
      5000,
      0,
    ),
    maxQueueSize: integer('batch.maxQueueSize', b.maxQueueSize ?? envString(env, 'OTEL_BSP_MAX_QUEUE_SIZE'), 2048, 1),
    maxExportBatchSize: integer(
      'batch.maxExportBatchSize',
      b.maxExportBatchSize ?? envString(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      512,
      1,
    ),
    exportTimeoutMillis: integer(
      'batch.exportTimeoutMillis',
      b.exportTimeoutMillis ?? envString(env, 'OTEL_BSP_EXPORT_TIMEOUT'),
      30000,
      1,
    ),
  };
  if (batch.maxExportBatchSize > batch.maxQueueSize) {
    throw new TracingConfigError('batch.maxExportBatchSize', 'must not exceed batch.maxQueueSize');
  }

  const l = options.spanLimits ?? {};
  const generalCount = envString(env, 'OTEL_ATTRIBUTE_COUNT_LIMIT');
  const generalLength = envString(env, 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT');
  const limit = (field: keyof SpanLimitOptions, variable: string, fallback: number | string | undefined, dflt: number): number =>
    integer(`spanLimits.${field}`, l[field] ?? envString(env, variable) ?? fallback, dflt, 0);
  const spanLimits: Required<SpanLimitOptions> = {
    attributeCountLimit: limit('attributeCountLimit', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', generalCount, 128),
    attributeValueLengthLimit: limit(
      'attributeValueLengthLimit',
      'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      generalLength,
      Number.MAX_SAFE_INTEGER,
    ),
    eventCountLimit: limit('eventCountLimit', 'OTEL_SPAN_EVENT_COUNT_LIMIT', undefined, 128),
    linkCountLimit: limit('linkCountLimit', 'OTEL_SPAN_LINK_COUNT_LIMIT', undefined, 128),
    attributePerEventCountLimit: limit('attributePerEventCountLimit', 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', undefined, 128),
    attributePerLinkCountLimit: limit('attributePerLinkCountLimit', 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', undefined, 128),
  };

  const allowRaw = envString(env, 'TRACEWIRE_BAGGAGE_ALLOW');
  return {
    serviceName,
    serviceVersion: options.serviceVersion ?? envResource['service.version'],
    environment: options.environment ?? envResource['deployment.environment.name'],
    resourceAttributes: { ...envResource, ...options.resourceAttributes },
    exporter,
    protocol,
    endpoint,
    exportTimeoutMillis: integer(
      'exportTimeoutMillis',
      options.exportTimeoutMillis ?? envString(env, 'OTEL_EXPORTER_OTLP_TIMEOUT'),
      10000,
      1,
    ),
    otlpEncoder: oneOf(
      options.otlpEncoder ? 'otlpEncoder' : 'TRACEWIRE_OTLP_ENCODER',
      options.otlpEncoder ?? envString(env, 'TRACEWIRE_OTLP_ENCODER') ?? 'tracewire',
      ENCODERS,
    ),
    sampler,
    samplerArg,
    batch,
    spanLimits,
    baggageAllowList: options.baggageAllowList ?? allowRaw?.split(',').map((k) => k.trim()),
  };
}
