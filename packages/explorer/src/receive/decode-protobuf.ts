/**
 * OTLP/protobuf ExportTraceServiceRequest -> stored spans in one pass over the
 * bytes (field numbers of opentelemetry-proto trace/v1, resource/v1,
 * common/v1, as in otlp-schema.ts). Nothing is materialised before the limits
 * apply: spans past the per-request bound, events, links and attributes past
 * theirs are skipped by their length prefix, unread. A span, resource or scope
 * that no limit touched keeps the request's bytes of its message (raw-bytes.ts),
 * so a store can keep what the exporter sent instead of encoding it again.
 */
import { type KeyValue, type Resource, type Scope, type SpanRecord, serviceOf } from '../model.ts';
import { DecodeContext, type DecodeResult, MalformedPayloadError, type Owner } from './decode-context.ts';
import type { SpanLimits } from './limits.ts';
import { setRawBytes, startsWithSchemaUrl } from './raw-bytes.ts';
import {
  I32,
  I64,
  LEN,
  type Reader,
  VARINT,
  checkEnd,
  expectWire,
  fieldEnd,
  readAttribute,
  readFixed64,
  readId,
  readString,
  reader,
  skipField,
} from './protobuf-fields.ts';

/**
 * A DecodeContext that counts every limit it applies (string cut, value emptied, item
 * dropped): a message whose decode left `losses` unchanged decoded without loss.
 */
export class ProtobufContext extends DecodeContext {
  losses = 0;

  override text(v: string): string {
    if (v.length > this.limits.maxValueLength) this.losses++;
    return super.text(v);
  }

  override truncate(): void {
    this.losses++;
    super.truncate();
  }

  override takeItem(owner: Owner): boolean {
    if (super.takeItem(owner)) return true;
    this.losses++;
    return false;
  }

  override takeRequestItem(): boolean {
    if (super.takeRequestItem()) return true;
    this.losses++;
    return false;
  }
}

/** Raw bytes of an absent resource or scope message: all its fields at their defaults. */
const NO_MESSAGE = new Uint8Array(0);

/**
 * The raw bytes of a resource or scope after one more of its messages was read (from `start`
 * to here): null once it is more than one message (they merge on decode), a limit applied in
 * one, or the message would be mistaken for one a store wrote (raw-bytes.ts).
 */
function nextRaw(raw: Uint8Array | null, r: Reader, start: number, lossless: boolean): Uint8Array | null {
  if (raw !== NO_MESSAGE || !lossless) return null;
  const bytes = view(r, start, r.pos);
  return startsWithSchemaUrl(bytes) ? null : bytes;
}

/** A plain Uint8Array over the request: half the cost of a Buffer's subarray, once per span. */
function view(r: Reader, start: number, end: number): Uint8Array {
  return new Uint8Array(r.buf.buffer, r.buf.byteOffset + start, end - start);
}

export function decodeProtobufRequest(bytes: Uint8Array, limits: SpanLimits): DecodeResult {
  const r = reader(bytes);
  const ctx = new ProtobufContext(limits);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) {
        expectWire(r, tag & 7, LEN);
        readResourceSpans(r, fieldEnd(r, r.len), ctx);
      } else skipField(r, tag & 7);
    }
  } catch (err) {
    if (err instanceof MalformedPayloadError) throw err;
    // protobufjs throws RangeError (truncated) and Error (bad varint); anything else is our bug.
    if (err instanceof RangeError || (err instanceof Error && err.constructor === Error)) {
      throw new MalformedPayloadError(`invalid protobuf ExportTraceServiceRequest: ${err.message}`);
    }
    throw err;
  }
  return ctx.result();
}

function readResourceSpans(r: Reader, end: number, ctx: ProtobufContext): void {
  const resource: Resource = { attributes: [] };
  const owner = ctx.newOwner();
  let dropped = 0;
  let raw: Uint8Array | null = NO_MESSAGE;
  const first = ctx.spans.length;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: {
        expectWire(r, wire, LEN);
        const msgEnd = fieldEnd(r, end);
        const start = r.pos;
        const losses = ctx.losses;
        dropped += readResource(r, msgEnd, ctx, owner, resource);
        raw = nextRaw(raw, r, start, ctx.losses === losses);
        break;
      }
      case 2: expectWire(r, wire, LEN); readScopeSpans(r, fieldEnd(r, end), ctx, resource); break;
      case 3: {
        expectWire(r, wire, LEN);
        const url = readString(r, ctx);
        if (url) resource.schemaUrl = url;
        break;
      }
      default: skipField(r, wire);
    }
  }
  checkEnd(r, end);
  if (dropped > 0) resource.droppedAttributesCount = dropped;
  // The schema URL is ResourceSpans' field, not the Resource message's: such a resource has no raw bytes.
  if (raw && !resource.schemaUrl) setRawBytes(resource, raw);
  // The resource may follow its spans on the wire: name their service once it is complete.
  const service = serviceOf(resource);
  for (let i = first; i < ctx.spans.length; i++) (ctx.spans[i] as { service: string }).service = service;
}

/** Fills `resource` from one Resource message; returns its dropped attributes (sent plus dropped here). */
export function readResource(r: Reader, end: number, ctx: DecodeContext, owner: Owner, resource: Resource): number {
  let dropped = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1) {
      expectWire(r, wire, LEN);
      if (!readAttribute(r, end, ctx, owner, resource.attributes)) dropped++;
    } else if (tag >>> 3 === 2) {
      expectWire(r, wire, VARINT);
      dropped += r.uint32();
    } else skipField(r, wire);
  }
  checkEnd(r, end);
  return dropped;
}

function readScopeSpans(r: Reader, end: number, ctx: ProtobufContext, resource: Resource): void {
  const scope: Scope = { name: '' };
  let raw: Uint8Array | null = NO_MESSAGE; // as in readResourceSpans
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: {
        expectWire(r, wire, LEN);
        const msgEnd = fieldEnd(r, end);
        const start = r.pos;
        const losses = ctx.losses;
        readScope(r, msgEnd, ctx, scope);
        raw = nextRaw(raw, r, start, ctx.losses === losses);
        break;
      }
      case 2: expectWire(r, wire, LEN); readScopedSpan(r, fieldEnd(r, end), ctx, resource, scope); break;
      case 3: {
        expectWire(r, wire, LEN);
        const url = readString(r, ctx);
        if (url) scope.schemaUrl = url;
        break;
      }
      default: skipField(r, wire);
    }
  }
  checkEnd(r, end);
  if (raw && !scope.schemaUrl) setRawBytes(scope, raw);
}

function readScopedSpan(r: Reader, end: number, ctx: ProtobufContext, resource: Resource, scope: Scope): void {
  if (!ctx.spanSlot()) {
    r.pos = end;
    return;
  }
  const start = r.pos;
  const losses = ctx.losses;
  const span = readSpan(r, end, ctx);
  if (!ctx.checkSpan(span)) return;
  if (ctx.losses === losses) setRawBytes(span, view(r, start, end));
  ctx.spans.push({ span, resource, scope, service: '' });
}

/** Fills `scope` from one InstrumentationScope message. */
export function readScope(r: Reader, end: number, ctx: DecodeContext, scope: Scope): void {
  const attributes: KeyValue[] = scope.attributes ?? [];
  const owner = ctx.newOwner();
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: expectWire(r, wire, LEN); scope.name = readString(r, ctx); break;
      case 2: {
        expectWire(r, wire, LEN);
        const version = readString(r, ctx);
        if (version) scope.version = version;
        break;
      }
      case 3: expectWire(r, wire, LEN); readAttribute(r, end, ctx, owner, attributes); break;
      default: skipField(r, wire);
    }
  }
  checkEnd(r, end);
  if (attributes.length) scope.attributes = attributes;
}

interface SpanExtras {
  traceState?: string;
  flags?: number;
  droppedAttributes: number;
  droppedEvents: number;
  droppedLinks: number;
  linksRead: number;
}

/** One Span message (`r` at its first field, `end` its end); exported for decoding stored spans. */
export function readSpan(r: Reader, end: number, ctx: ProtobufContext): SpanRecord {
  const span: SpanRecord = {
    traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startTimeUnixNano: '0', endTimeUnixNano: '0',
    attributes: [], events: [], links: [], status: { code: 0 },
  };
  const x: SpanExtras = { droppedAttributes: 0, droppedEvents: 0, droppedLinks: 0, linksRead: 0 };
  const owner = ctx.newOwner();
  while (r.pos < end) {
    const tag = r.uint32();
    readSpanField(r, end, ctx, tag >>> 3, tag & 7, span, x, owner);
  }
  checkEnd(r, end);
  if (x.traceState) span.traceState = x.traceState;
  if (x.flags) span.flags = x.flags;
  if (x.droppedAttributes > 0) span.droppedAttributesCount = x.droppedAttributes;
  if (x.droppedEvents > 0) span.droppedEventsCount = x.droppedEvents;
  if (x.droppedLinks > 0) span.droppedLinksCount = x.droppedLinks;
  return span;
}

function readSpanField(r: Reader, end: number, ctx: ProtobufContext, field: number, wire: number, span: SpanRecord, x: SpanExtras, owner: Owner): void {
  const l = ctx.limits;
  switch (field) {
    case 1: expectWire(r, wire, LEN); span.traceId = readId(r); return;
    case 2: expectWire(r, wire, LEN); span.spanId = readId(r); return;
    case 3: expectWire(r, wire, LEN); x.traceState = readString(r, ctx); return;
    case 4: expectWire(r, wire, LEN); span.parentSpanId = readId(r); return;
    case 5: expectWire(r, wire, LEN); span.name = readString(r, ctx); return;
    case 6: {
      expectWire(r, wire, VARINT);
      const k = r.int32();
      span.kind = (k >= 0 && k <= 5 ? k : 0) as SpanRecord['kind'];
      return;
    }
    case 7: expectWire(r, wire, I64); span.startTimeUnixNano = readFixed64(r); return;
    case 8: expectWire(r, wire, I64); span.endTimeUnixNano = readFixed64(r); return;
    case 9: expectWire(r, wire, LEN); if (!readAttribute(r, end, ctx, owner, span.attributes)) x.droppedAttributes++; return;
    case 10: expectWire(r, wire, VARINT); x.droppedAttributes += r.uint32(); return;
    case 11: {
      expectWire(r, wire, LEN);
      const eventEnd = fieldEnd(r, end);
      if (span.events.length < l.maxEvents && ctx.takeRequestItem()) span.events.push(readEvent(r, eventEnd, ctx));
      else {
        r.pos = eventEnd;
        x.droppedEvents++;
        ctx.losses++;
      }
      return;
    }
    case 12: expectWire(r, wire, VARINT); x.droppedEvents += r.uint32(); return;
    case 13: {
      expectWire(r, wire, LEN);
      const linkEnd = fieldEnd(r, end);
      const link = x.linksRead++ < l.maxLinks && ctx.takeRequestItem() ? readLink(r, linkEnd, ctx) : undefined;
      r.pos = linkEnd;
      if (link) span.links.push(link);
      else {
        x.droppedLinks++;
        ctx.losses++;
      }
      return;
    }
    case 14: expectWire(r, wire, VARINT); x.droppedLinks += r.uint32(); return;
    case 15: expectWire(r, wire, LEN); span.status = readStatus(r, fieldEnd(r, end), ctx); return;
    case 16: expectWire(r, wire, I32); x.flags = r.fixed32(); return;
    default: skipField(r, wire);
  }
}

function readEvent(r: Reader, end: number, ctx: DecodeContext): SpanRecord['events'][number] {
  const ev: SpanRecord['events'][number] = { timeUnixNano: '0', name: '', attributes: [] };
  const owner = ctx.newOwner();
  let dropped = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: expectWire(r, wire, I64); ev.timeUnixNano = readFixed64(r); break;
      case 2: expectWire(r, wire, LEN); ev.name = readString(r, ctx); break;
      case 3: expectWire(r, wire, LEN); if (!readAttribute(r, end, ctx, owner, ev.attributes)) dropped++; break;
      case 4: expectWire(r, wire, VARINT); dropped += r.uint32(); break;
      default: skipField(r, wire);
    }
  }
  checkEnd(r, end);
  if (dropped > 0) ev.droppedAttributesCount = dropped;
  return ev;
}

/** A link with invalid ids is dropped (counted in droppedLinksCount): it could never be followed. */
function readLink(r: Reader, end: number, ctx: DecodeContext): SpanRecord['links'][number] | undefined {
  const link: SpanRecord['links'][number] = { traceId: '', spanId: '', attributes: [] };
  const owner = ctx.newOwner();
  let dropped = 0;
  let flags = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: expectWire(r, wire, LEN); link.traceId = readId(r); break;
      case 2: expectWire(r, wire, LEN); link.spanId = readId(r); break;
      case 3: {
        expectWire(r, wire, LEN);
        const ts = readString(r, ctx);
        if (ts) link.traceState = ts;
        break;
      }
      case 4: expectWire(r, wire, LEN); if (!readAttribute(r, end, ctx, owner, link.attributes)) dropped++; break;
      case 5: expectWire(r, wire, VARINT); dropped += r.uint32(); break;
      case 6: expectWire(r, wire, I32); flags = r.fixed32(); break;
      default: skipField(r, wire);
    }
  }
  checkEnd(r, end);
  if (!/^[0-9a-f]{32}$/.test(link.traceId) || !/^[0-9a-f]{16}$/.test(link.spanId)) return undefined;
  if (dropped > 0) link.droppedAttributesCount = dropped;
  if (flags) link.flags = flags;
  return link;
}

function readStatus(r: Reader, end: number, ctx: DecodeContext): SpanRecord['status'] {
  const status: SpanRecord['status'] = { code: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 2) {
      expectWire(r, wire, LEN);
      const message = readString(r, ctx);
      if (message) status.message = message;
    } else if (tag >>> 3 === 3) {
      expectWire(r, wire, VARINT);
      const code = r.int32();
      status.code = (code >= 0 && code <= 2 ? code : 0) as SpanRecord['status']['code'];
    } else skipField(r, wire);
  }
  checkEnd(r, end);
  return status;
}
