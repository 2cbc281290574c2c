/**
 * Spans, resources and scopes as the OTLP protobuf messages an exporter sends
 * (opentelemetry.proto.trace.v1.Span, resource.v1.Resource,
 * common.v1.InstrumentationScope): the store's compact, lossless form.
 *
 * Decoding is the receiver's own reading (receive/decode-protobuf.ts) with no
 * limit, so stored bytes, re-encoded or the exporter's (receive/raw-bytes.ts),
 * give back what the receiver gave. Encoding writes canonical proto3 (defaults
 * left out, oneof values always written) in one pass; one thing is not OTLP: a resource's or scope's schemaUrl, which OTLP keeps in the
 * enclosing ResourceSpans / ScopeSpans, goes first in a field of its own
 * (SCHEMA_URL_FIELD, skipped by official decoders).
 *
 * Encoding is exact for what the protobuf receiver produces but for one thing:
 * a string its length limit cut between the halves of a surrogate pair ends in
 * a lone surrogate, which UTF-8 cannot hold (it comes back as U+FFFD). OTLP/JSON
 * can also bring values protobuf cannot hold (a bytesValue that is not base64,
 * a lone surrogate, flags past 32 bits): they are written as protobuf reads
 * them, never as bytes that fail to decode.
 */
import type { AnyValue, KeyValue, Resource, Scope, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../../model.ts';
import { ProtobufContext, readResource, readScope, readSpan } from '../../receive/decode-protobuf.ts';
import type { SpanLimits } from '../../receive/limits.ts';
import { type Reader, readString, reader } from '../../receive/protobuf-fields.ts';
import { SCHEMA_URL_FIELD, startsWithSchemaUrl } from '../../receive/raw-bytes.ts';

// ---------------------------------------------------------------- encoding

/** Tags (field << 3 | wire type) of the fields written, by message. */
const SPAN = { traceId: 0x0a, spanId: 0x12, traceState: 0x1a, parentSpanId: 0x22, name: 0x2a, kind: 0x30, start: 0x39, end: 0x41, attribute: 0x4a, droppedAttributes: 0x50, event: 0x5a, droppedEvents: 0x60, link: 0x6a, droppedLinks: 0x70, status: 0x7a, flags: (16 << 3) | 5 } as const;
const EVENT = { time: 0x09, name: 0x12, attribute: 0x1a, droppedAttributes: 0x20 } as const;
const LINK = { traceId: 0x0a, spanId: 0x12, traceState: 0x1a, attribute: 0x22, droppedAttributes: 0x28, flags: 0x35 } as const;
const STATUS = { message: 0x12, code: 0x18 } as const;
const RESOURCE = { attribute: 0x0a, droppedAttributes: 0x10 } as const;
const SCOPE = { name: 0x0a, version: 0x12, attribute: 0x1a } as const;
const KV = { key: 0x0a, value: 0x12 } as const;
const VALUE = { string: 0x0a, bool: 0x10, int: 0x18, double: 0x21, array: 0x2a, kvlist: 0x32, bytes: 0x3a } as const;
const ARRAY_ITEM = 0x0a;
const SCHEMA_URL = (SCHEMA_URL_FIELD << 3) | 2;

const HEX = new Uint8Array(128);
for (let i = 0; i < 16; i++) HEX[i.toString(16).charCodeAt(0)] = i;

/**
 * Allocating an ArrayBuffer costs about a microsecond, as much as encoding a span: messages
 * are written in place into a slab and handed out as views of it, a new slab when it is full.
 */
const SLAB_BYTES = 16 * 1024;

/** The one output buffer: the current slab, the message being written from `start` to `pos`. */
class Writer {
  buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
  start = 0;
  pos = 0;
  /** A 64-bit value parsed by setDecimal: low and high 32 bits, unsigned. */
  lo = 0;
  hi = 0;

  /** Room for `n` more bytes: past the slab, the message so far moves to a new one. */
  need(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const length = this.pos - this.start;
    const next = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, (length + n) * 2));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = length;
  }

  /** A varint below 2^32; the caller made room for 5 bytes. */
  varint(v: number): void {
    const b = this.buf;
    while (v > 0x7f) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** lo/hi as a varint (10 bytes for a negative int64). */
  varint64(): void {
    this.need(10);
    let { lo, hi } = this;
    const b = this.buf;
    while (hi > 0 || lo > 0x7f) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.pos++] = lo;
  }

  fixed32(v: number): void {
    const b = this.buf;
    const p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  /**
   * Parses decimal `s` (digits from `from`, at most 20) into lo/hi. Split at 10^9 and again
   * at 2^16 so no intermediate passes 2^53: exact without BigInt, which costs several times more.
   */
  setDecimal(s: string, from: number): void {
    const split = s.length - 9;
    let a = 0;
    let c = 0;
    for (let i = from; i < split; i++) a = a * 10 + s.charCodeAt(i) - 48;
    for (let i = Math.max(from, split); i < s.length; i++) c = c * 10 + s.charCodeAt(i) - 48;
    // s = a * 10^9 + c = high * 2^16 + low
    const aLo = a % 0x10000;
    const low = aLo * 1e9 + c;
    const high = ((a - aLo) / 0x10000) * 1e9;
    const highLo = high % 0x10000;
    const sumLo = (low % 0x100000000) + highLo * 0x10000;
    this.lo = sumLo >>> 0;
    this.hi = (Math.floor(low / 0x100000000) + (high - highLo) / 0x10000 + Math.floor(sumLo / 0x100000000)) >>> 0;
  }

  /**
   * Starts a nested message, one length byte reserved (most are short); `end` takes the mark,
   * the offset of that byte in the message (the message may move to another slab meanwhile).
   */
  begin(tag: number): number {
    this.need(6);
    this.varint(tag);
    return this.pos++ - this.start;
  }

  /** Writes the length of the message `begin` started, moving its body when the length needs more than a byte. */
  end(offset: number): void {
    const length = this.pos - this.start - offset - 1;
    if (length < 0x80) {
      this.buf[this.start + offset] = length;
      return;
    }
    const size = length < 0x4000 ? 2 : length < 0x200000 ? 3 : length < 0x10000000 ? 4 : 5;
    this.need(size - 1);
    const mark = this.start + offset; // after need: the message may have moved
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    const p = this.pos + size - 1;
    this.pos = mark;
    this.varint(length);
    this.pos = p;
  }

  /** Starts a message, dropping whatever a call that threw left behind. */
  open(): void {
    this.pos = this.start;
  }

  /** The message written, a view of the slab; the next one starts after it. */
  take(): Uint8Array {
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.start, this.pos - this.start);
    this.start = this.pos;
    return out;
  }
}

const w = new Writer();

function writeString(tag: number, s: string): void {
  const n = s.length;
  w.need(n * 3 + 10);
  w.varint(tag);
  const b = w.buf;
  if (n < 0x80) {
    // Short ASCII (keys, names, most values): its length is its byte count, known before the bytes.
    let p = w.pos + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      b[p++] = c;
    }
    if (i === n) {
      b[w.pos] = n;
      w.pos = p;
      return;
    }
  }
  const len = Buffer.byteLength(s, 'utf8');
  w.varint(len);
  w.pos += b.write(s, w.pos, len, 'utf8');
}

/** A lowercase hex id as bytes; always valid in a stored span (the receiver checks ids). */
function writeId(tag: number, hex: string): void {
  const n = hex.length >>> 1;
  w.need(n + 10);
  w.varint(tag);
  w.varint(n);
  const b = w.buf;
  let p = w.pos;
  for (let i = 0; i < 2 * n; i += 2) b[p++] = ((HEX[hex.charCodeAt(i)] ?? 0) << 4) | (HEX[hex.charCodeAt(i + 1)] ?? 0);
  w.pos = p;
}

/** A fixed64 time from its decimal string; '0' is the default, left out. */
function writeTime(tag: number, ns: string): void {
  if (ns === '0') return;
  w.setDecimal(ns, 0);
  w.need(13);
  w.varint(tag);
  w.fixed32(w.lo);
  w.fixed32(w.hi);
}

/** An int64 from its decimal string, negatives as two's complement. */
function writeInt64(tag: number, s: string): void {
  const negative = s.charCodeAt(0) === 45; // '-'
  w.setDecimal(s, negative ? 1 : 0);
  if (negative) {
    w.lo = (~w.lo + 1) >>> 0;
    w.hi = (~w.hi + (w.lo === 0 ? 1 : 0)) >>> 0;
  }
  w.need(5);
  w.varint(tag);
  w.varint64();
}

/** A number below 2^32, left out when 0 or absent. */
function writeUint32(tag: number, v: number | undefined): void {
  if (!v) return;
  w.need(10);
  w.varint(tag);
  w.varint(v);
}

/** Fields one dropped count may take; past them it is clamped (only OTLP/JSON's unchecked numbers get there). */
const MAX_COUNT_FIELDS = 16;

/**
 * A dropped count. The receiver sums a count sent more than once with what its limits
 * dropped, so a count can pass uint32: written as several fields, which it sums back.
 */
function writeCount(tag: number, n: number | undefined): void {
  if (!n) return;
  for (let i = 1; n > 0xffffffff && i < MAX_COUNT_FIELDS; i++) {
    writeUint32(tag, 0xffffffff);
    n -= 0xffffffff;
  }
  writeUint32(tag, Math.min(n, 0xffffffff));
}

function writeFixed32(tag: number, v: number | undefined): void {
  if (!v) return;
  w.need(9);
  w.varint(tag);
  w.fixed32(v);
}

function writeDouble(tag: number, d: number | string): void {
  w.need(13);
  w.varint(tag);
  // 'NaN', 'Infinity' and '-Infinity' are the model's only double strings.
  w.pos = w.buf.writeDoubleLE(typeof d === 'number' ? d : Number(d), w.pos);
}

/** Decoded first: Buffer.byteLength only estimates base64 that is not canonical (OTLP/JSON passes any string). */
function writeBase64(tag: number, b64: string): void {
  const bytes = Buffer.from(b64, 'base64');
  w.need(bytes.length + 10);
  w.varint(tag);
  w.varint(bytes.length);
  w.pos += bytes.copy(w.buf, w.pos);
}

/** The one set field of an AnyValue (oneof: written even when it holds the default); nothing for an empty one. */
function writeAnyValue(v: AnyValue): void {
  if (v.stringValue !== undefined) writeString(VALUE.string, v.stringValue);
  else if (v.boolValue !== undefined) {
    w.need(2);
    w.varint(VALUE.bool);
    w.varint(v.boolValue ? 1 : 0);
  } else if (v.intValue !== undefined) writeInt64(VALUE.int, v.intValue);
  else if (v.doubleValue !== undefined) writeDouble(VALUE.double, v.doubleValue);
  else if (v.arrayValue) {
    const m = w.begin(VALUE.array);
    for (const item of v.arrayValue.values) {
      const im = w.begin(ARRAY_ITEM);
      writeAnyValue(item);
      w.end(im);
    }
    w.end(m);
  } else if (v.kvlistValue) {
    const m = w.begin(VALUE.kvlist);
    writeAttributes(ARRAY_ITEM, v.kvlistValue.values);
    w.end(m);
  } else if (v.bytesValue !== undefined) writeBase64(VALUE.bytes, v.bytesValue);
}

function writeAttributes(tag: number, attributes: readonly KeyValue[]): void {
  for (const kv of attributes) {
    const m = w.begin(tag);
    if (kv.key) writeString(KV.key, kv.key);
    const vm = w.begin(KV.value);
    writeAnyValue(kv.value);
    w.end(vm);
    w.end(m);
  }
}

function writeOptionalString(tag: number, s: string | undefined): void {
  if (s) writeString(tag, s);
}

function writeEvent(e: SpanEventRecord): void {
  const m = w.begin(SPAN.event);
  writeTime(EVENT.time, e.timeUnixNano);
  writeOptionalString(EVENT.name, e.name);
  writeAttributes(EVENT.attribute, e.attributes);
  writeCount(EVENT.droppedAttributes, e.droppedAttributesCount);
  w.end(m);
}

function writeLink(l: SpanLinkRecord): void {
  const m = w.begin(SPAN.link);
  writeId(LINK.traceId, l.traceId);
  writeId(LINK.spanId, l.spanId);
  writeOptionalString(LINK.traceState, l.traceState);
  writeAttributes(LINK.attribute, l.attributes);
  writeCount(LINK.droppedAttributes, l.droppedAttributesCount);
  writeFixed32(LINK.flags, l.flags);
  w.end(m);
}

function writeStatus(status: SpanRecord['status']): void {
  if (!status.code && !status.message) return;
  const m = w.begin(SPAN.status);
  writeOptionalString(STATUS.message, status.message);
  writeUint32(STATUS.code, status.code);
  w.end(m);
}

/**
 * opentelemetry.proto.trace.v1.Span message bytes. Like every encode* result, a view of a
 * 16 KiB slab it shares with its neighbours: never overwritten, but kept alone it keeps
 * the slab; copy what is kept long and sparsely.
 */
export function encodeSpan(span: SpanRecord): Uint8Array {
  w.open();
  if (span.traceId) writeId(SPAN.traceId, span.traceId);
  if (span.spanId) writeId(SPAN.spanId, span.spanId);
  writeOptionalString(SPAN.traceState, span.traceState);
  if (span.parentSpanId) writeId(SPAN.parentSpanId, span.parentSpanId);
  writeOptionalString(SPAN.name, span.name);
  writeUint32(SPAN.kind, span.kind);
  writeTime(SPAN.start, span.startTimeUnixNano);
  writeTime(SPAN.end, span.endTimeUnixNano);
  writeAttributes(SPAN.attribute, span.attributes);
  writeCount(SPAN.droppedAttributes, span.droppedAttributesCount);
  for (const e of span.events) writeEvent(e);
  writeCount(SPAN.droppedEvents, span.droppedEventsCount);
  for (const l of span.links) writeLink(l);
  writeCount(SPAN.droppedLinks, span.droppedLinksCount);
  writeStatus(span.status);
  writeFixed32(SPAN.flags, span.flags);
  return w.take();
}

/** opentelemetry.proto.resource.v1.Resource message bytes (schemaUrl in SCHEMA_URL_FIELD). */
export function encodeResource(resource: Resource): Uint8Array {
  w.open();
  writeOptionalString(SCHEMA_URL, resource.schemaUrl);
  writeAttributes(RESOURCE.attribute, resource.attributes);
  writeCount(RESOURCE.droppedAttributes, resource.droppedAttributesCount);
  return w.take();
}

/** opentelemetry.proto.common.v1.InstrumentationScope message bytes (schemaUrl in SCHEMA_URL_FIELD). */
export function encodeScope(scope: Scope): Uint8Array {
  w.open();
  writeOptionalString(SCHEMA_URL, scope.schemaUrl);
  writeOptionalString(SCOPE.name, scope.name);
  writeOptionalString(SCOPE.version, scope.version);
  writeAttributes(SCOPE.attribute, scope.attributes ?? []);
  return w.take();
}

// ---------------------------------------------------------------- decoding

const NO_LIMITS: SpanLimits = {
  maxAttributes: Infinity, maxValueLength: Infinity, maxEvents: Infinity, maxLinks: Infinity, maxValueDepth: Infinity,
  maxSpansPerRequest: Infinity, maxItemsPerRequest: Infinity, maxJsonContainers: Infinity, spansPerWrite: Infinity,
};
/** Shared by every call: with no limits its budgets never run out, and nothing else in it is read. */
const ctx = new ProtobufContext(NO_LIMITS);

/**
 * A Span message to what the receiver makes of it, no limit applied (stored data was
 * accepted already). Throws on bytes that are not a Span message.
 */
export function decodeSpan(bytes: Uint8Array): SpanRecord {
  const r = reader(bytes);
  return readSpan(r, r.len, ctx);
}

export function decodeResource(bytes: Uint8Array): Resource {
  const r = reader(bytes);
  const url = readSchemaUrl(r);
  const resource: Resource = { attributes: [] };
  const dropped = readResource(r, r.len, ctx, ctx.newOwner(), resource);
  if (url) resource.schemaUrl = url;
  if (dropped > 0) resource.droppedAttributesCount = dropped;
  return resource;
}

export function decodeScope(bytes: Uint8Array): Scope {
  const r = reader(bytes);
  const url = readSchemaUrl(r);
  const scope: Scope = { name: '' };
  readScope(r, r.len, ctx, scope);
  if (url) scope.schemaUrl = url;
  return scope;
}

/** The schema URL field, recognised only first (anywhere else it is an exporter's unknown field, skipped as the receiver does). */
function readSchemaUrl(r: Reader): string {
  if (!startsWithSchemaUrl(r.buf)) return '';
  r.pos = 2;
  return readString(r, ctx);
}
