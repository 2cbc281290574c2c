/**
 * The explorer's internal span model. It mirrors OTLP/JSON field names
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) so the
 * stored form, the OTLP download and the receivers share one vocabulary, with
 * ids as lowercase hex and 64-bit integers as decimal strings (no precision loss).
 */

/** OTLP AnyValue; exactly one field is set. `doubleValue` may be 'NaN' / 'Infinity' / '-Infinity'. */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number | string;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  /** base64 */
  bytesValue?: string;
}

export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  schemaUrl?: string;
}

export interface Scope {
  name: string;
  version?: string;
  attributes?: KeyValue[];
  schemaUrl?: string;
}

export interface SpanEventRecord {
  timeUnixNano: string;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}

export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

/** OTLP SpanKind numbers: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export type SpanKindNumber = 0 | 1 | 2 | 3 | 4 | 5;
/** OTLP StatusCode numbers: 0 unset, 1 ok, 2 error. */
export type StatusCodeNumber = 0 | 1 | 2;

export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState?: string;
  flags?: number;
  name: string;
  kind: SpanKindNumber;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  events: SpanEventRecord[];
  droppedEventsCount?: number;
  links: SpanLinkRecord[];
  droppedLinksCount?: number;
  status: { code: StatusCodeNumber; message?: string };
}

/** A span with the resource and scope it was reported under (shared objects, not copies). */
export interface StoredSpan {
  span: SpanRecord;
  resource: Resource;
  scope: Scope;
  /** `service.name` of the resource, or 'unknown_service'. */
  service: string;
}

export const KIND_NAMES = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
export type SpanKindName = (typeof KIND_NAMES)[number];
export const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'] as const;
export type StatusName = (typeof STATUS_NAMES)[number];

export function serviceOf(resource: Resource): string {
  const kv = resource.attributes.find((a) => a.key === 'service.name');
  const v = kv?.value.stringValue;
  return v !== undefined && v !== '' ? v : 'unknown_service';
}

/** The string form an attribute value is indexed and compared under (ints in decimal, bools as true/false). */
export function valueToString(v: AnyValue): string {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue ? 'true' : 'false';
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return JSON.stringify(valueToPlain(v));
}

/** A plain JS value: ints as numbers when safe (else decimal strings), kvlists as objects, bytes as base64. */
export function valueToPlain(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue;
  }
  if (v.doubleValue !== undefined) return typeof v.doubleValue === 'number' ? v.doubleValue : v.doubleValue;
  if (v.arrayValue) return v.arrayValue.values.map(valueToPlain);
  if (v.kvlistValue) return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, valueToPlain(kv.value)]));
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

export type ValueType = 'string' | 'int' | 'double' | 'bool' | 'array' | 'bytes' | 'kvlist' | 'empty';

export function valueType(v: AnyValue): ValueType {
  if (v.stringValue !== undefined) return 'string';
  if (v.boolValue !== undefined) return 'bool';
  if (v.intValue !== undefined) return 'int';
  if (v.doubleValue !== undefined) return 'double';
  if (v.arrayValue) return 'array';
  if (v.kvlistValue) return 'kvlist';
  if (v.bytesValue !== undefined) return 'bytes';
  return 'empty';
}
