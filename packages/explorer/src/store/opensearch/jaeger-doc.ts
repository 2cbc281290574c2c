/**
 * A span as Jaeger's Elasticsearch/OpenSearch storage writes it (jaegertracing/jaeger
 * `plugin/storage/es/spanstore/dbmodel/model.go`), and back. Tags follow Jaeger's OTLP translator
 * (opentelemetry-collector-contrib `pkg/translator/jaeger`): kind as `span.kind`, status as
 * `otel.status_code` / `otel.status_description` / `error`, scope as `otel.scope.name/version`,
 * trace state as `w3c.tracestate`, events as logs with an `event` field, parent as a CHILD_OF
 * reference and links as FOLLOWS_FROM. Values are strings, as Jaeger's `KeyValue.AsString`
 * writes them (binary as hex).
 *
 * Tracewire adds one field, `tracewire` (mapped `enabled: false`: kept in `_source`, not indexed),
 * holding the span, resource and scope exactly as received, so nothing OTLP carries is lost
 * (nanosecond times, attribute types, link attributes, dropped counts). Documents without it,
 * written by Jaeger, are read from the Jaeger fields.
 */
import {
  type AnyValue,
  type KeyValue,
  type Resource,
  type Scope,
  type SpanKindNumber,
  type SpanRecord,
  type StoredSpan,
  serviceOf,
  valueToPlain,
} from '../../model.ts';

export interface JaegerKV {
  key: string;
  type?: string;
  value: unknown;
}

export interface JaegerRef {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerSpanDoc {
  traceID: string;
  spanID: string;
  parentSpanID?: string;
  flags?: number;
  operationName: string;
  references: JaegerRef[];
  /** Microseconds since the epoch. */
  startTime: number;
  startTimeMillis: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerKV[];
  logs: Array<{ timestamp: number; fields: JaegerKV[] }>;
  process: { serviceName: string; tags: JaegerKV[] };
  tracewire?: { span: SpanRecord; resource: Resource; scope: Scope };
}

export const KIND_NAMES_LOWER = ['', 'internal', 'server', 'client', 'producer', 'consumer'] as const;

/**
 * Jaeger writes a trace id whose high 64 bits are zero as 16 hex digits (`model.TraceID.String`);
 * the explorer's ids are always 32.
 */
export function jaegerTraceId(id: string): string {
  return id.startsWith('0000000000000000') ? id.slice(16) : id;
}

/** Every form a trace id may be stored under: ours, Jaeger's, and older Jaeger's unpadded high part. */
export function traceIdForms(id32: string): string[] {
  const forms = new Set([id32, jaegerTraceId(id32)]);
  // Older Jaeger wrote the high part unpadded (`%x%016x`), and a 64-bit id as `%x`.
  forms.add(id32.replace(/^0+(?=.{16})/, ''));
  const bare = id32.replace(/^0+/, '');
  if (bare) forms.add(bare);
  return [...forms];
}

export function normalizeTraceId(id: string): string {
  return id.toLowerCase().padStart(32, '0');
}

/** Older Jaeger wrote span ids as `%x` (no leading zeros). */
export function normalizeSpanId(id: string): string {
  return id.toLowerCase().padStart(16, '0');
}

const hexOfBase64 = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
const base64OfHex = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

function kv(key: string, v: AnyValue): JaegerKV {
  if (v.stringValue !== undefined) return { key, type: 'string', value: v.stringValue };
  if (v.boolValue !== undefined) return { key, type: 'bool', value: String(v.boolValue) };
  if (v.intValue !== undefined) return { key, type: 'int64', value: v.intValue };
  if (v.doubleValue !== undefined) return { key, type: 'float64', value: String(v.doubleValue) };
  if (v.bytesValue !== undefined) return { key, type: 'binary', value: hexOfBase64(v.bytesValue) };
  // Jaeger has no array or map type: JSON text, as its translator writes them.
  return { key, type: 'string', value: JSON.stringify(valueToPlain(v)) };
}

const kvs = (list: KeyValue[]) => list.map((a) => kv(a.key, a.value));
const micros = (ns: string) => Number(BigInt(ns) / 1000n);

function spanTags(span: SpanRecord, scope: Scope): JaegerKV[] {
  const out = kvs(span.attributes);
  const str = (key: string, value: string) => out.push({ key, type: 'string', value });
  if (scope.name) str('otel.scope.name', scope.name);
  if (scope.version) str('otel.scope.version', scope.version);
  if (span.kind > 0) str('span.kind', KIND_NAMES_LOWER[span.kind]);
  if (span.status.code === 1) str('otel.status_code', 'OK');
  if (span.status.code === 2) {
    str('otel.status_code', 'ERROR');
    out.push({ key: 'error', type: 'bool', value: 'true' });
  }
  if (span.status.message) str('otel.status_description', span.status.message);
  if (span.traceState) str('w3c.tracestate', span.traceState);
  return out;
}

export function toJaegerDoc(s: StoredSpan): JaegerSpanDoc {
  const { span, resource, scope } = s;
  const start = BigInt(span.startTimeUnixNano);
  const end = BigInt(span.endTimeUnixNano);
  const references: JaegerRef[] = [];
  if (span.parentSpanId) references.push({ refType: 'CHILD_OF', traceID: jaegerTraceId(span.traceId), spanID: span.parentSpanId });
  for (const l of span.links) references.push({ refType: 'FOLLOWS_FROM', traceID: jaegerTraceId(l.traceId), spanID: l.spanId });
  const startUs = micros(span.startTimeUnixNano);
  return {
    traceID: jaegerTraceId(span.traceId),
    spanID: span.spanId,
    ...(span.flags ? { flags: span.flags } : {}),
    operationName: span.name,
    references,
    startTime: startUs,
    startTimeMillis: Math.floor(startUs / 1000),
    duration: Number((end > start ? end - start : 0n) / 1000n),
    tags: spanTags(span, scope),
    logs: span.events.map((e) => ({
      timestamp: micros(e.timeUnixNano),
      fields: [{ key: 'event', type: 'string', value: e.name }, ...kvs(e.attributes)],
    })),
    process: { serviceName: s.service, tags: kvs(resource.attributes.filter((a) => a.key !== 'service.name')) },
    tracewire: { span, resource, scope },
  };
}

function anyValue(t: JaegerKV): AnyValue {
  const raw = t.value === null || t.value === undefined ? '' : String(t.value);
  switch (t.type) {
    case 'bool':
      return { boolValue: raw === 'true' };
    case 'int64':
      return { intValue: raw };
    case 'float64':
      return { doubleValue: Number.isFinite(Number(raw)) ? Number(raw) : raw };
    case 'binary':
      return { bytesValue: base64OfHex(raw) };
    default:
      return { stringValue: raw };
  }
}

const CONVENTION_TAGS = new Set(['otel.scope.name', 'otel.scope.version', 'span.kind', 'otel.status_code', 'otel.status_description', 'error', 'w3c.tracestate']);
const nsOfMicros = (us: number) => (BigInt(Math.trunc(us)) * 1000n).toString();

/** A Jaeger-written document as the explorer's span (the tag conventions above read back). */
function fromJaegerFields(d: JaegerSpanDoc): StoredSpan {
  const tags = d.tags ?? [];
  const tagValue = (key: string) => tags.find((t) => t.key === key)?.value;
  const kind = KIND_NAMES_LOWER.indexOf(String(tagValue('span.kind') ?? '') as (typeof KIND_NAMES_LOWER)[number]);
  const code = tagValue('otel.status_code');
  const isError = code === 'ERROR' || String(tagValue('error')) === 'true';
  const refs = d.references ?? [];
  const parentRef = refs.find((r) => r.refType === 'CHILD_OF') ?? (d.parentSpanID ? { spanID: d.parentSpanID } : undefined);
  const parent = parentRef ? normalizeSpanId(parentRef.spanID) : '';
  const resource: Resource = {
    attributes: [{ key: 'service.name', value: { stringValue: d.process?.serviceName ?? '' } }, ...(d.process?.tags ?? []).map((t) => ({ key: t.key, value: anyValue(t) }))],
  };
  const scopeName = tagValue('otel.scope.name') ?? tagValue('otel.library.name');
  const scopeVersion = tagValue('otel.scope.version') ?? tagValue('otel.library.version');
  const message = tagValue('otel.status_description');
  const traceState = tagValue('w3c.tracestate');
  const span: SpanRecord = {
    traceId: normalizeTraceId(d.traceID),
    spanId: normalizeSpanId(d.spanID),
    parentSpanId: parent === '0000000000000000' ? '' : parent,
    ...(d.flags ? { flags: d.flags } : {}),
    ...(traceState !== undefined ? { traceState: String(traceState) } : {}),
    name: d.operationName,
    kind: (kind > 0 ? kind : 0) as SpanKindNumber,
    startTimeUnixNano: nsOfMicros(d.startTime),
    endTimeUnixNano: nsOfMicros(d.startTime + d.duration),
    attributes: tags.filter((t) => !CONVENTION_TAGS.has(t.key)).map((t) => ({ key: t.key, value: anyValue(t) })),
    events: (d.logs ?? []).map((l) => ({
      timeUnixNano: nsOfMicros(l.timestamp),
      name: String(l.fields.find((f) => f.key === 'event')?.value ?? ''),
      attributes: l.fields.filter((f) => f.key !== 'event').map((f) => ({ key: f.key, value: anyValue(f) })),
    })),
    links: refs
      .filter((r) => r !== parentRef)
      .map((r) => ({ traceId: normalizeTraceId(r.traceID), spanId: normalizeSpanId(r.spanID), attributes: [] })),
    status: { code: isError ? 2 : code === 'OK' ? 1 : 0, ...(message !== undefined ? { message: String(message) } : {}) },
  };
  const scope: Scope = { name: scopeName === undefined ? '' : String(scopeName), ...(scopeVersion !== undefined ? { version: String(scopeVersion) } : {}) };
  return { span, resource, scope, service: serviceOf(resource) };
}

/** Tracewire's exact copy when the document has one, else the Jaeger fields. */
export function fromJaegerDoc(d: JaegerSpanDoc): StoredSpan {
  if (d.tracewire?.span && d.tracewire.resource && d.tracewire.scope) {
    const { span, resource, scope } = d.tracewire;
    return { span, resource, scope, service: serviceOf(resource) };
  }
  return fromJaegerFields(d);
}

/** Jaeger's service index document (`dbmodel.ServiceWithKind`). */
export interface ServiceDoc {
  serviceName: string;
  operationName: string;
  spanKind: string;
}

/**
 * The id Jaeger gives a service/operation document (FNV-1a 64 of service, kind and operation, in
 * hex: `service_operation.go` `hashCode`), so both writers overwrite one document per operation.
 */
export function serviceDocId(d: ServiceDoc): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(d.serviceName + d.spanKind + d.operationName, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16);
}
