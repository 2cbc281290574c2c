/**
 * OTLP/protobuf `ExportTraceServiceRequest` straight from SDK spans
 * (opentelemetry-proto trace/v1/trace.proto). The bytes are the same as
 * `ProtobufTraceSerializer`'s (same field order and presence; tested byte for
 * byte), written in one pass with the repeated strings (attribute keys, span
 * names) and each resource encoded once: the export is most of what tracing
 * costs a busy service (docs/performance.md, section 2).
 */
import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { FieldCache, OtlpWriter } from './otlp-writer.ts';

const keys = new FieldCache(4096, 128);
const names = new FieldCache(4096, 256);
const resources = new WeakMap<Resource, Buffer>();
const scratch = new OtlpWriter();

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** Encodes `spans` grouped by resource, then instrumentation scope, in first-seen order. */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const w = scratch;
  w.reset();
  for (const [resource, scopes] of groupSpans(spans)) {
    w.tag(1, 2);
    const rs = w.begin(3);
    writeResource(w, resource);
    for (const scoped of scopes.values()) {
      w.tag(2, 2);
      writeScopeSpans(w, scoped);
    }
    w.optionalString(3, resource.schemaUrl);
    w.end(rs);
  }
  return w.take();
}

function groupSpans(spans: readonly ReadableSpan[]): Map<Resource, Map<InstrumentationScope, ReadableSpan[]>> {
  const out = new Map<Resource, Map<InstrumentationScope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = out.get(span.resource);
    if (!scopes) out.set(span.resource, (scopes = new Map()));
    let list = scopes.get(span.instrumentationScope);
    if (!list) scopes.set(span.instrumentationScope, (list = []));
    list.push(span);
  }
  return out;
}

/** Field 1 of ResourceSpans; cached per resource once its attributes are final. */
function writeResource(w: OtlpWriter, resource: Resource): void {
  const cached = resources.get(resource);
  if (cached) return w.raw(cached);
  const start = w.pos;
  w.tag(1, 2);
  const m = w.begin(2);
  writeAttributes(w, resource.attributes, 1);
  w.tag(2, 0);
  w.varint32(0);
  w.end(m);
  if (!resource.asyncAttributesPending) resources.set(resource, Buffer.from(w.buf.subarray(start, w.pos)));
}

function writeScopeSpans(w: OtlpWriter, spans: ReadableSpan[]): void {
  const m = w.begin(3);
  const scope = (spans[0] as ReadableSpan).instrumentationScope;
  w.tag(1, 2);
  const s = w.begin(1);
  w.tag(1, 2);
  w.string(scope.name);
  w.optionalString(2, scope.version);
  w.end(s);
  for (const span of spans) {
    w.tag(2, 2);
    writeSpan(w, span);
  }
  w.optionalString(3, scope.schemaUrl);
  w.end(m);
}

function writeSpan(w: OtlpWriter, span: ReadableSpan): void {
  const m = w.begin(2);
  const ctx = span.spanContext();
  w.tag(1, 2);
  w.hexBytes(ctx.traceId);
  w.tag(2, 2);
  w.hexBytes(ctx.spanId);
  w.optionalString(3, ctx.traceState?.serialize());
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.tag(4, 2);
    w.hexBytes(parent.spanId);
  }
  w.cachedString(5, span.name, names);
  // OTLP's SpanKind is the API's plus one (0 is UNSPECIFIED there).
  w.tag(6, 0);
  w.varint32(span.kind + 1);
  w.tag(7, 1);
  writeHrTime(w, span.startTime);
  w.tag(8, 1);
  writeHrTime(w, span.endTime);
  writeAttributes(w, span.attributes, 9);
  w.tag(10, 0);
  w.varint32(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(w, event);
  w.tag(12, 0);
  w.varint32(span.droppedEventsCount);
  for (const link of span.links) writeLink(w, link);
  w.tag(14, 0);
  w.varint32(span.droppedLinksCount);
  w.tag(15, 2);
  const st = w.begin(1);
  w.optionalString(2, span.status.message);
  w.tag(3, 0);
  w.varint32(span.status.code);
  w.end(st);
  w.tag(16, 5);
  w.fixed32(spanFlags(ctx, parent?.isRemote));
  w.end(m);
}

function spanFlags(ctx: SpanContext, isRemote: boolean | undefined): number {
  return (ctx.traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

function writeEvent(w: OtlpWriter, event: TimedEvent): void {
  w.tag(11, 2);
  const m = w.begin(1);
  w.tag(1, 1);
  writeHrTime(w, event.time);
  w.tag(2, 2);
  w.string(event.name);
  if (event.attributes) writeAttributes(w, event.attributes, 3);
  w.tag(4, 0);
  w.varint32(event.droppedAttributesCount ?? 0);
  w.end(m);
}

function writeLink(w: OtlpWriter, link: Link): void {
  w.tag(13, 2);
  const m = w.begin(1);
  const ctx = link.context;
  w.tag(1, 2);
  w.hexBytes(ctx.traceId);
  w.tag(2, 2);
  w.hexBytes(ctx.spanId);
  w.optionalString(3, ctx.traceState?.serialize());
  if (link.attributes) writeAttributes(w, link.attributes, 4);
  w.tag(5, 0);
  w.varint32(link.droppedAttributesCount ?? 0);
  w.tag(6, 5);
  w.fixed32(spanFlags(ctx, ctx.isRemote));
  w.end(m);
}

/** [seconds, nanoseconds] as fixed64 nanoseconds, exact beyond 2^53 (split so no product exceeds it). */
function writeHrTime(w: OtlpWriter, t: HrTime): void {
  const [seconds, nanos] = t;
  const lowSeconds = seconds & 0xffff;
  const highSeconds = (seconds / 0x10000) >>> 0;
  const fromLow = lowSeconds * 1e9;
  const fromHigh = highSeconds * 1e9;
  const low = (fromLow >>> 0) + (((fromHigh & 0xffff) * 0x10000) >>> 0) + nanos;
  const carry = Math.floor(low / 0x100000000);
  w.fixed64(low >>> 0, Math.floor(fromLow / 0x100000000) + ((fromHigh / 0x10000) >>> 0) + carry);
}

function writeAttributes(w: OtlpWriter, attributes: Attributes, field: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    w.tag(field, 2);
    const kv = w.begin(1);
    w.cachedString(1, key, keys);
    w.tag(2, 2);
    const v = w.begin(1);
    writeAnyValue(w, attributes[key]);
    w.end(v);
    w.end(kv);
  }
}

function writeAnyValue(w: OtlpWriter, value: AttributeValue | undefined): void {
  if (typeof value === 'string') {
    w.tag(1, 2);
    w.string(value);
  } else if (typeof value === 'boolean') {
    w.tag(2, 0);
    w.varint32(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      w.tag(3, 0);
      w.varint64(value);
    } else {
      w.tag(4, 1);
      w.double(value);
    }
  } else if (Array.isArray(value)) {
    w.tag(5, 2);
    const arr = w.begin(1);
    for (const item of value) {
      w.tag(1, 2);
      const m = w.begin(1);
      // An array item the API allows to be null or undefined writes an empty AnyValue, as the official serializer does.
      writeAnyValue(w, item ?? undefined);
      w.end(m);
    }
    w.end(arr);
  }
  // Anything else (undefined, or a type the API does not allow) writes an empty AnyValue.
}
