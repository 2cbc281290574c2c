/**
 * The store's facts of every span (span-facts.ts) read straight off an OTLP/protobuf
 * ExportTraceServiceRequest, without building the decoder's objects: decoding a span into
 * objects that outlive a scavenge costs several times what the store does with it.
 *
 * It gives facts only for requests the receiver (receive/decode-protobuf.ts) would take
 * whole and without loss: every field is walked as that decoder walks it (same wire-type
 * checks, same protobufjs varint quirks, same limits counted in the same order), and
 * wherever the decoder would throw, reject a span, apply a limit or keep no raw bytes
 * (raw-bytes.ts), the scan gives up and the caller decodes. So facts, when there are any,
 * equal `decodeProtobuf(bytes, limits).spans.map(factsOf)`.
 *
 * Per span it allocates the SpanFacts, its pairs array, their strings (repeated short
 * strings come from a cache), two bigints and the view of the Span message. Array and
 * kvlist values, rare in practice, are read by the receiver's own AnyValue reader.
 */
import { type SpanKindNumber, valueToString } from '../../model.ts';
import type { Owner } from '../../receive/decode-context.ts';
import { ProtobufContext } from '../../receive/decode-protobuf.ts';
import type { SpanLimits } from '../../receive/limits.ts';
import { type Reader, readAnyValue, reader } from '../../receive/protobuf-fields.ts';
import { startsWithSchemaUrl } from '../../receive/raw-bytes.ts';
import { NO_LINKS, type ResourceFacts, type SpanFacts, spanWord, traceHash } from './span-facts.ts';

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** Bytes of an absent Resource or InstrumentationScope message, as the decoder keeps them. */
const EMPTY: Uint8Array = new Uint8Array(0);
const UNKNOWN_SERVICE = 'unknown_service';

/**
 * Thrown wherever the decoder would throw, reject or apply a limit: the scan then returns
 * undefined. One object thrown again and again, so no stack trace is captured each time.
 */
const GIVE_UP = new Error('request-scan: the decoder must read this request');

/**
 * The facts of every span of the request, straight from its bytes, when storing them as sent
 * gives exactly what decode + store would; undefined otherwise (the caller then uses the decoder).
 */
export function scanRequest(bytes: Uint8Array, limits: SpanLimits): SpanFacts[] | undefined {
  return scanRequestCounted(bytes, limits)?.facts;
}

/**
 * scanRequest, also saying how much of the request's item budget (`maxItemsPerRequest`) the
 * request took: the parts of a request split by trace (store/shards) are scanned apart, and
 * their sum must fit the budget the whole would have had.
 */
export function scanRequestCounted(bytes: Uint8Array, limits: SpanLimits): { facts: SpanFacts[]; items: number } | undefined {
  if (!saneLimits(limits)) return undefined;
  try {
    const scan = new Scan(bytes, limits);
    const facts = scan.request();
    return { facts, items: limits.maxItemsPerRequest - scan.itemsLeft };
  } catch {
    // GIVE_UP, or the receiver's own value reader throwing: either way the decoder decides.
    return undefined;
  }
}

/** NaN limits make the decoder's comparisons all false, a corner not worth mirroring. */
function saneLimits(l: SpanLimits): boolean {
  return !(
    Number.isNaN(l.maxAttributes) || Number.isNaN(l.maxValueLength) || Number.isNaN(l.maxEvents) || Number.isNaN(l.maxLinks) ||
    Number.isNaN(l.maxValueDepth) || Number.isNaN(l.maxSpansPerRequest) || Number.isNaN(l.maxItemsPerRequest)
  );
}

// ---------------------------------------------------------------- repeated bytes

/** Int32Array words are in the platform's byte order; DataView reads them in this one to compare. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const SLOTS = 4096;
/** A slot is one 64-byte cache line: a header word (length, the caller's meta) and up to 60 bytes. */
const SLOT_WORDS = 16;
const MAX_CACHED = 60;

/**
 * Attribute keys, values and span names repeat from span to span; decoding UTF-8 costs a call
 * into C++ and a new string each time, hashing a few bytes in JS far less. A direct-mapped
 * table of short byte strings and what was made of them (two strings and a number). A lookup
 * touches two cache lines, the slot and its strings: the table is too big to stay in cache.
 */
class ByteTable {
  readonly words = new Int32Array(SLOTS * SLOT_WORDS);
  readonly bytes = new Uint8Array(this.words.buffer);
  /** Two strings per slot. */
  readonly strings: string[] = new Array<string>(2 * SLOTS).fill('');
  /** Where the last lookup looked: the slot holding the bytes on a hit, where they go on a miss. */
  slot = 0;

  /**
   * The slot holding `dv`'s bytes from `start` to `end`, or -1. The hash reads the length and
   * the first and last 8 bytes only (all of them up to 16): the comparison checks every byte
   * anyway, and a miss only costs a decode.
   */
  find(dv: DataView, start: number, end: number): number {
    const n = end - start;
    if (n > MAX_CACHED) return -1;
    let h = n;
    if (n >= 8) {
      h = mix(h, dv.getInt32(start, true));
      h = mix(h, dv.getInt32(start + 4, true));
      h = mix(h, dv.getInt32(end - 8, true));
      h = mix(h, dv.getInt32(end - 4, true));
    } else for (let i = start; i < end; i++) h = mix(h, dv.getUint8(i));
    const slot = (h ^ (h >>> 16)) & (SLOTS - 1);
    this.slot = slot;
    return this.holds(slot, dv, start, end) ? slot : -1;
  }

  holds(slot: number, dv: DataView, start: number, end: number): boolean {
    const words = this.words;
    const header = slot * SLOT_WORDS;
    if ((words[header]! & 0xff) !== end - start + 1) return false; // lengths stored plus one: 0 is an empty slot
    const last = end - 4;
    let i = start;
    let w = header + 1;
    for (; i <= last; i += 4, w++) if (words[w] !== dv.getInt32(i, LITTLE_ENDIAN)) return false;
    for (let at = w * 4; i < end; i++, at++) if (this.bytes[at] !== dv.getUint8(i)) return false;
    return true;
  }

  /** The caller's number kept with a slot's bytes. */
  meta(slot: number): number {
    return this.words[slot * SLOT_WORDS]! >>> 8;
  }

  /** Keeps the bytes `find` missed (at most MAX_CACHED) in the slot it looked at, with what was made of them. */
  put(buf: Uint8Array, start: number, end: number, meta: number, first: string, second: string): void {
    const slot = this.slot;
    this.words[slot * SLOT_WORDS] = (end - start + 1) | (meta << 8);
    this.bytes.set(buf.subarray(start, end), (slot * SLOT_WORDS + 1) * 4);
    this.strings[2 * slot] = first;
    this.strings[2 * slot + 1] = second;
  }
}

function mix(h: number, word: number): number {
  const x = Math.imul(h ^ word, 0x9e3779b1);
  return x ^ (x >>> 15);
}

/** Decoded strings by their UTF-8 bytes. */
const strings = new ByteTable();

function utf8(buf: Buffer, dv: DataView, start: number, end: number): string {
  if (start === end) return '';
  const slot = strings.find(dv, start, end);
  if (slot >= 0) return strings.strings[2 * slot]!;
  const s = buf.toString('utf8', start, end);
  if (end - start <= MAX_CACHED) strings.put(buf, start, end, 0, s, '');
  return s;
}

/**
 * Whole attributes (KeyValue messages) read by the fast path, by their bytes: a hit gives the key
 * and the value string with no field read. Meta: whether the value was a string (bit 0), and
 * above it `need`, its longest string (base64 counted as shown): all a length limit depends on.
 */
const attributes = new ByteTable();

// ---------------------------------------------------------------- the scan

/** The receiver's context, counting the items a fallback value read took from its budgets. */
class CountingContext extends ProtobufContext {
  taken = 0;

  override takeItem(owner: Owner): boolean {
    const ok = super.takeItem(owner);
    if (ok) this.taken++;
    return ok;
  }
}

/**
 * One request's walk. Reads are bounded by the enclosing message's end: the decoder reads on
 * to the buffer's end but then fails its end-of-message check, so the outcome is the same.
 */
class Scan {
  readonly buf: Buffer;
  readonly dv: DataView;
  readonly limits: SpanLimits;
  readonly maxLength: number;
  pos = 0;
  readonly facts: SpanFacts[] = [];
  /** The request's budget of attributes, array elements, kvlist entries, events and links. */
  itemsLeft: number;
  /** The budget of the message whose attributes are being read (span, resource, scope, event, link). */
  ownerLeft = 0;
  /** The attribute last read: key, value (valueToString form), whether the value was a string (serviceOf reads only those). */
  key = '';
  value = '';
  isString = false;
  /** Attributes may come from the cache: a value may not be emptied for its depth (maxValueDepth >= 0). */
  readonly cacheAttributes: boolean;
  /** While reading an attribute: whether the cache may keep it, and the longest of its strings. */
  cacheable = false;
  need = 0;
  /** A protobufjs reader over the request, made on the first array or kvlist value. */
  fallbackReader: Reader | undefined;
  /** Where the previous span's trace id starts, to reuse its hex when the next one is equal. */
  lastTraceAt = -1;
  lastTraceHex = '';

  // The span being read: field positions and values, last occurrence wins as in the decoder.
  traceAt = -1;
  traceLength = 0;
  spanAt = -1;
  spanLength = 0;
  parentLength = 0;
  parentAt = -1;
  /** The span's links as [traceHash, spanWord, ...]; a fresh array once a span has any. */
  linkLows: number[] = NO_LINKS;
  name = '';
  kind = 0;
  startAt = -1;
  endAt = -1;
  statusCode = 0;
  events = 0;
  links = 0;
  /**
   * Pairs of the span or resource being read, `pairCount` of them; its facts get an exact-size
   * copy (an array pushed to has room to spare, which the GC copies too).
   */
  readonly pairs: string[] = [];
  pairCount = 0;

  constructor(bytes: Uint8Array, limits: SpanLimits) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.limits = limits;
    this.maxLength = limits.maxValueLength;
    this.itemsLeft = limits.maxItemsPerRequest;
    this.cacheAttributes = limits.maxValueDepth >= 0;
  }

  request(): SpanFacts[] {
    const end = this.buf.length;
    while (this.pos < end) {
      const tag = this.uint32(end);
      if (tag >>> 3 === 1) {
        expectWire(tag, LEN);
        this.resourceSpans(this.fieldEnd(end));
      } else this.skip(tag & 7, end);
    }
    return this.facts;
  }

  // ---------------------------------------------------------------- wire format

  /** protobufjs's uint32: five bytes at most, the fifth's top bits ignored, and past it five more skipped unread. */
  uint32(end: number): number {
    const buf = this.buf;
    const first = buf[this.pos]!;
    if (first < 0x80 && this.pos < end) {
      // Most tags and lengths: one byte.
      this.pos++;
      return first;
    }
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= end) throw GIVE_UP;
      const b = buf[this.pos++]!;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    if (this.pos >= end) throw GIVE_UP;
    const b = buf[this.pos++]!;
    value |= (b & 0x0f) << 28;
    if (b >= 0x80) this.pos += 5;
    if (this.pos > end) throw GIVE_UP;
    return value >>> 0;
  }

  /** A length prefix; where the field ends, inside the enclosing message. */
  fieldEnd(end: number): number {
    const length = this.uint32(end);
    const fieldEnd = this.pos + length;
    if (fieldEnd > end) throw GIVE_UP;
    return fieldEnd;
  }

  /** Fixed-size fields: `n` bytes, inside the enclosing message. */
  fixed(n: number, end: number): number {
    const at = this.pos;
    if (at + n > end) throw GIVE_UP;
    this.pos = at + n;
    return at;
  }

  /** skipField: protobufjs skips a varint of any length; groups and wire types 6, 7 throw. */
  skip(wire: number, end: number): void {
    if (wire === VARINT) {
      do {
        if (this.pos >= end) throw GIVE_UP;
      } while (this.buf[this.pos++]! & 0x80);
    } else if (wire === I64) this.fixed(8, end);
    else if (wire === LEN) this.pos = this.fieldEnd(end);
    else if (wire === I32) this.fixed(4, end);
    else throw GIVE_UP;
  }

  /** A string field, gone over as readString would: the scan gives up where the length limit cuts it. */
  string(end: number): string {
    const stop = this.fieldEnd(end);
    const start = this.pos;
    this.pos = stop;
    const n = stop - start;
    if (n <= this.maxLength) {
      // UTF-16 units <= UTF-8 bytes: it fits.
      if (n > this.need) this.need = n;
      return utf8(this.buf, this.dv, start, stop);
    }
    this.cacheable = false;
    const s = this.buf.toString('utf8', start, Math.min(stop, start + this.maxLength * 3 + 4));
    if (s.length > this.maxLength) throw GIVE_UP;
    return s;
  }

  /**
   * A string field the facts do not keep: decoded only when its bytes outnumber the length
   * limit. Returns whether it is empty (a schema URL counts only when not).
   */
  checkString(end: number): boolean {
    const stop = this.fieldEnd(end);
    const start = this.pos;
    this.pos = stop;
    if (stop - start <= this.maxLength) return stop === start;
    if (this.buf.toString('utf8', start, Math.min(stop, start + this.maxLength * 3 + 4)).length > this.maxLength) throw GIVE_UP;
    return false;
  }

  /** A bytes value as readBase64 cuts it (only the bytes that can show count), base64 when `keep`. */
  base64(end: number, keep: boolean): string {
    const stop = this.fieldEnd(end);
    const start = this.pos;
    this.pos = stop;
    const shown = Math.min(stop, start + Math.ceil((this.maxLength * 3) / 4) + 3) - start;
    const length = 4 * Math.ceil(shown / 3);
    if (length > this.maxLength) throw GIVE_UP;
    if (length > this.need) this.need = length;
    return keep ? this.buf.toString('base64', start, stop) : '';
  }

  /** An id field gone over: its length, all its validity depends on (its bytes stay where they are). */
  idLength(end: number): number {
    const stop = this.fieldEnd(end);
    const length = stop - this.pos;
    this.pos = stop;
    return length;
  }

  // ---------------------------------------------------------------- budgets

  /**
   * takeItem: one item from the current owner's budget, then the request's. The request's
   * running out shows in the decoder's messages; the owner's only in lost raw bytes, which
   * matter only for a resource or scope that has spans: the caller decides.
   */
  takeItem(): boolean {
    if (this.ownerLeft <= 0) return false;
    if (this.itemsLeft <= 0) throw GIVE_UP;
    this.itemsLeft--;
    this.ownerLeft--;
    return true;
  }

  /** takeRequestItem (events, links). */
  takeRequestItem(): void {
    if (this.itemsLeft <= 0) throw GIVE_UP;
    this.itemsLeft--;
  }

  // ---------------------------------------------------------------- attributes

  /**
   * One attribute (readAttribute): its key and value added to `pairs` when `keep`, else only
   * checked. False when its owner's budget had none left: then skipped unread, as the decoder does.
   */
  attribute(end: number, keep: boolean): boolean {
    const itemEnd = this.fieldEnd(end);
    if (!this.takeItem()) {
      this.pos = itemEnd;
      return false;
    }
    if (!keep) {
      this.keyValue(itemEnd, false);
      return true;
    }
    const start = this.pos;
    const found = this.cacheAttributes ? attributes.find(this.dv, start, itemEnd) : -1;
    if (found >= 0 && attributes.meta(found) >>> 1 <= this.maxLength) {
      this.pair(attributes.strings[2 * found]!, attributes.strings[2 * found + 1]!);
      this.isString = (attributes.meta(found) & 1) === 1;
      this.pos = itemEnd;
      return true;
    }
    this.need = 0;
    this.cacheable = this.cacheAttributes;
    this.keyValue(itemEnd, true);
    this.pair(this.key, this.value);
    if (this.cacheable && itemEnd - start <= MAX_CACHED) {
      attributes.put(this.buf, start, itemEnd, (this.need << 1) | (this.isString ? 1 : 0), this.key, this.value);
    }
    return true;
  }

  pair(key: string, value: string): void {
    const pairs = this.pairs;
    pairs[this.pairCount++] = key;
    pairs[this.pairCount++] = value;
  }

  /** A KeyValue message (readKeyValue) into `key` and `value`, the last of each field counting. */
  keyValue(end: number, keep: boolean): void {
    this.key = '';
    this.value = 'null'; // valueToString of an absent value, {}
    this.isString = false;
    while (this.pos < end) {
      const tag = this.uint32(end);
      const field = tag >>> 3;
      if (field === 1) {
        expectWire(tag, LEN);
        if (keep) this.key = this.string(end);
        else this.checkString(end);
      } else if (field === 2) {
        expectWire(tag, LEN);
        this.value = this.anyValue(this.fieldEnd(end), keep);
      } else this.skip(tag & 7, end);
    }
  }

  /**
   * An AnyValue at depth 0 (readAnyValue), in valueToString form when `keep`. Every field
   * replaces the value, so the last one counts. Arrays, kvlists and ints past 7 bytes go to
   * the receiver's own reader, from the value's start.
   */
  anyValue(end: number, keep: boolean): string {
    if (0 > this.limits.maxValueDepth) throw GIVE_UP; // readAnyValue empties a value past the depth limit
    const start = this.pos;
    let value = 'null';
    this.isString = false;
    while (this.pos < end) {
      const tag = this.uint32(end);
      const wire = tag & 7;
      switch (tag >>> 3) {
        case 1: {
          expectWire(tag, LEN);
          if (keep) value = this.string(end);
          else this.checkString(end);
          this.isString = true;
          break;
        }
        case 2: expectWire(tag, VARINT); value = this.uint32(end) !== 0 ? 'true' : 'false'; this.isString = false; break;
        case 3: {
          expectWire(tag, VARINT);
          const n = this.shortVarint(end);
          if (n < 0) return this.fallbackValue(start, end);
          value = String(n);
          this.isString = false;
          break;
        }
        case 4: expectWire(tag, I64); value = String(this.dv.getFloat64(this.fixed(8, end), true)); this.isString = false; break;
        case 5: case 6: return this.fallbackValue(start, end);
        case 7: expectWire(tag, LEN); value = this.base64(end, keep); this.isString = false; break;
        default: this.skip(wire, end);
      }
    }
    return value;
  }

  /** A varint of at most 7 bytes (below 2^49, exact as a double), or -1 for the receiver to read. */
  shortVarint(end: number): number {
    const buf = this.buf;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7 && this.pos < end; i++) {
      const b = buf[this.pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return -1;
  }

  /** The value read by readAnyValue itself, with the budgets left; any limit it applies is a loss. */
  fallbackValue(start: number, end: number): string {
    const r = (this.fallbackReader ??= reader(this.buf));
    r.pos = start;
    const ctx = new CountingContext({ ...this.limits, maxItemsPerRequest: this.itemsLeft });
    const owner: Owner = { left: this.ownerLeft };
    this.cacheable = false;
    const v = readAnyValue(r, end, ctx, owner, 0);
    if (ctx.losses !== 0 || r.pos !== end) throw GIVE_UP;
    this.ownerLeft = owner.left;
    this.itemsLeft -= ctx.taken;
    this.pos = end;
    this.isString = v.stringValue !== undefined;
    return valueToString(v);
  }

  // ---------------------------------------------------------------- resource and scope

  /**
   * A resource or scope the decoder keeps no raw bytes of (a schema URL, two messages merged, an
   * attribute its budget dropped, a lookalike of the store's schema URL field) is stored encoded
   * again: the scan gives up, but only once a span uses it (one unused changes no fact).
   */
  resourceSpans(end: number): void {
    const first = this.facts.length;
    const resource: ResourceFacts = { service: UNKNOWN_SERVICE, pairs: [], bytes: EMPTY };
    let messages = 0;
    let whole = true;
    let resourceLeft = this.limits.maxAttributes; // one owner for all its Resource messages, as in the decoder
    while (this.pos < end) {
      const tag = this.uint32(end);
      switch (tag >>> 3) {
        case 1: {
          expectWire(tag, LEN);
          this.ownerLeft = resourceLeft;
          if (!this.resource(this.fieldEnd(end), resource) || ++messages > 1) whole = false;
          resourceLeft = this.ownerLeft;
          break;
        }
        case 2: expectWire(tag, LEN); this.scopeSpans(this.fieldEnd(end), resource); break;
        case 3: expectWire(tag, LEN); if (!this.checkString(end)) whole = false; break; // a schema URL
        default: this.skip(tag & 7, end);
      }
    }
    if (!whole && this.facts.length > first) throw GIVE_UP;
  }

  /** A Resource message into `resource`; false when the decoder would keep no raw bytes of it. */
  resource(end: number, resource: ResourceFacts): boolean {
    const start = this.pos;
    let service: string | undefined;
    let whole = true;
    this.pairCount = 0;
    while (this.pos < end) {
      const tag = this.uint32(end);
      if (tag >>> 3 === 1) {
        expectWire(tag, LEN);
        if (!this.attribute(end, true)) whole = false;
        // serviceOf: the first service.name attribute, when it holds a non-empty string.
        else if (service === undefined && this.pairs[this.pairCount - 2] === 'service.name') service = this.isString ? (this.pairs[this.pairCount - 1] as string) : '';
      } else if (tag >>> 3 === 2) {
        expectWire(tag, VARINT);
        this.uint32(end);
      } else this.skip(tag & 7, end);
    }
    resource.service = service ? service : UNKNOWN_SERVICE;
    resource.pairs = this.pairs.slice(0, this.pairCount);
    resource.bytes = this.view(start, end);
    return whole && !startsWithSchemaUrl(resource.bytes); // a lookalike would read back with a schema URL
  }

  scopeSpans(end: number, resource: ResourceFacts): void {
    const first = this.facts.length;
    let scope = EMPTY;
    let messages = 0;
    let whole = true;
    while (this.pos < end) {
      const tag = this.uint32(end);
      switch (tag >>> 3) {
        case 1: {
          expectWire(tag, LEN);
          const scopeEnd = this.fieldEnd(end);
          const start = this.pos;
          const lossless = this.scope(scopeEnd);
          scope = this.view(start, scopeEnd);
          // A lookalike of the store's schema URL field would read back as one.
          if (!lossless || ++messages > 1 || startsWithSchemaUrl(scope)) whole = false;
          break;
        }
        case 2: {
          expectWire(tag, LEN);
          const spanEnd = this.fieldEnd(end);
          if (!(this.facts.length < this.limits.maxSpansPerRequest)) throw GIVE_UP;
          this.facts.push(this.span(spanEnd, resource));
          break;
        }
        case 3: expectWire(tag, LEN); if (!this.checkString(end)) whole = false; break; // a schema URL
        default: this.skip(tag & 7, end);
      }
    }
    if (this.facts.length === first) return;
    if (!whole) throw GIVE_UP;
    // The scope message may come after its spans.
    if (scope !== EMPTY) for (let i = first; i < this.facts.length; i++) (this.facts[i] as SpanFacts).scope = scope;
  }

  /** An InstrumentationScope message (a new owner each, as readScope); false when its attribute budget dropped one. */
  scope(end: number): boolean {
    let whole = true;
    this.ownerLeft = this.limits.maxAttributes;
    while (this.pos < end) {
      const tag = this.uint32(end);
      const field = tag >>> 3;
      if (field === 1 || field === 2) {
        expectWire(tag, LEN);
        this.checkString(end);
      } else if (field === 3) {
        expectWire(tag, LEN);
        if (!this.attribute(end, false)) whole = false;
      } else this.skip(tag & 7, end);
    }
    return whole;
  }

  /** A plain Uint8Array over the request, as the decoder's raw bytes are. */
  view(start: number, end: number): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + start, end - start);
  }

  // ---------------------------------------------------------------- spans

  span(end: number, resource: ResourceFacts): SpanFacts {
    const start = this.pos;
    this.traceAt = -1;
    this.traceLength = 0;
    this.spanAt = -1;
    this.spanLength = 0;
    this.parentLength = 0;
    this.parentAt = -1;
    this.linkLows = NO_LINKS;
    this.name = '';
    this.kind = 0;
    this.startAt = -1;
    this.endAt = -1;
    this.statusCode = 0;
    this.events = 0;
    this.links = 0;
    this.pairCount = 0;
    this.ownerLeft = this.limits.maxAttributes;
    while (this.pos < end) this.spanField(this.uint32(end), end);
    this.checkSpan();
    return {
      traceId: this.traceHex(),
      spanKey: this.spanKeyAt(this.spanAt),
      root: this.parentLength === 0,
      traceHash: this.traceHashAt(this.traceAt),
      parentWord: this.parentLength === 0 ? 0 : this.spanWordAt(this.parentAt),
      links: this.linkLows,
      name: this.name,
      kind: this.kind as SpanKindNumber,
      startNs: this.startAt < 0 ? 0n : this.dv.getBigUint64(this.startAt, true),
      endNs: this.endAt < 0 ? 0n : this.dv.getBigUint64(this.endAt, true),
      statusCode: this.statusCode,
      pairs: this.pairs.slice(0, this.pairCount),
      resource,
      scope: EMPTY,
      bytes: this.view(start, end),
    };
  }

  /** One field of a Span message, as readSpanField reads it. */
  spanField(tag: number, end: number): void {
    switch (tag >>> 3) {
      case 1: expectWire(tag, LEN); this.traceLength = this.idLength(end); this.traceAt = this.pos - this.traceLength; return;
      case 2: expectWire(tag, LEN); this.spanLength = this.idLength(end); this.spanAt = this.pos - this.spanLength; return;
      case 3: expectWire(tag, LEN); this.checkString(end); return;
      case 4: expectWire(tag, LEN); this.parentLength = this.idLength(end); this.parentAt = this.pos - this.parentLength; return;
      case 5: expectWire(tag, LEN); this.name = this.string(end); return;
      case 6: {
        expectWire(tag, VARINT);
        const k = this.uint32(end) | 0;
        this.kind = k >= 0 && k <= 5 ? k : 0;
        return;
      }
      case 7: expectWire(tag, I64); this.startAt = this.fixed(8, end); return;
      case 8: expectWire(tag, I64); this.endAt = this.fixed(8, end); return;
      case 9: expectWire(tag, LEN); if (!this.attribute(end, true)) throw GIVE_UP; return; // the span would lose its raw bytes
      case 11: expectWire(tag, LEN); this.event(this.fieldEnd(end)); return;
      case 13: expectWire(tag, LEN); this.link(this.fieldEnd(end)); return;
      case 10: case 12: case 14: expectWire(tag, VARINT); this.uint32(end); return; // dropped counts: kept in the bytes
      case 15: expectWire(tag, LEN); this.status(this.fieldEnd(end)); return;
      case 16: expectWire(tag, I32); this.fixed(4, end); return;
      default: this.skip(tag & 7, end);
    }
  }

  /** An event is read (not skipped) only within maxEvents and the request budget; its attributes have their own owner. */
  event(end: number): void {
    if (!(this.events < this.limits.maxEvents)) throw GIVE_UP;
    this.takeRequestItem();
    this.events++;
    const spanOwner = this.ownerLeft;
    this.ownerLeft = this.limits.maxAttributes;
    while (this.pos < end) {
      const tag = this.uint32(end);
      switch (tag >>> 3) {
        case 1: expectWire(tag, I64); this.fixed(8, end); break;
        case 2: expectWire(tag, LEN); this.checkString(end); break;
        case 3: expectWire(tag, LEN); if (!this.attribute(end, false)) throw GIVE_UP; break;
        case 4: expectWire(tag, VARINT); this.uint32(end); break;
        default: this.skip(tag & 7, end);
      }
    }
    this.ownerLeft = spanOwner;
  }

  /** As readLink: within maxLinks and the request budget, and with ids of the right lengths, or the link is dropped. */
  link(end: number): void {
    if (!(this.links++ < this.limits.maxLinks)) throw GIVE_UP;
    this.takeRequestItem();
    const spanOwner = this.ownerLeft;
    this.ownerLeft = this.limits.maxAttributes;
    let traceLength = 0;
    let spanLength = 0;
    let traceAt = 0;
    let spanAt = 0;
    while (this.pos < end) {
      const tag = this.uint32(end);
      switch (tag >>> 3) {
        case 1: expectWire(tag, LEN); traceLength = this.idLength(end); traceAt = this.pos - traceLength; break;
        case 2: expectWire(tag, LEN); spanLength = this.idLength(end); spanAt = this.pos - spanLength; break;
        case 3: expectWire(tag, LEN); this.checkString(end); break;
        case 4: expectWire(tag, LEN); if (!this.attribute(end, false)) throw GIVE_UP; break;
        case 5: expectWire(tag, VARINT); this.uint32(end); break;
        case 6: expectWire(tag, I32); this.fixed(4, end); break;
        default: this.skip(tag & 7, end);
      }
    }
    // Hex of 32 and 16 digits; a link's ids may be all zeros.
    if (traceLength !== 16 || spanLength !== 8) throw GIVE_UP;
    if (this.linkLows === NO_LINKS) this.linkLows = [];
    this.linkLows.push(this.traceHashAt(traceAt), this.spanWordAt(spanAt));
    this.ownerLeft = spanOwner;
  }

  /** Each Status message starts again from code 0 (the decoder replaces the whole status). */
  status(end: number): void {
    this.statusCode = 0;
    while (this.pos < end) {
      const tag = this.uint32(end);
      const field = tag >>> 3;
      if (field === 2) {
        expectWire(tag, LEN);
        this.checkString(end);
      } else if (field === 3) {
        expectWire(tag, VARINT);
        const code = this.uint32(end) | 0;
        this.statusCode = code >= 0 && code <= 2 ? code : 0;
      } else this.skip(tag & 7, end);
    }
  }

  /** checkSpan: ids of 16 and 8 bytes, not all zeros (a parent may be), times below 2^63. */
  checkSpan(): void {
    const buf = this.buf;
    const dv = this.dv;
    const t = this.traceAt;
    const s = this.spanAt;
    if (this.traceLength !== 16 || (dv.getInt32(t) | dv.getInt32(t + 4) | dv.getInt32(t + 8) | dv.getInt32(t + 12)) === 0) throw GIVE_UP;
    if (this.spanLength !== 8 || (dv.getInt32(s) | dv.getInt32(s + 4)) === 0) throw GIVE_UP;
    if (this.parentLength !== 0 && this.parentLength !== 8) throw GIVE_UP;
    if (this.startAt >= 0 && buf[this.startAt + 7]! >= 0x80) throw GIVE_UP;
    if (this.endAt >= 0 && buf[this.endAt + 7]! >= 0x80) throw GIVE_UP;
  }

  /** Spans of a trace usually come together: the previous span's hex is reused when the bytes match. */
  traceHex(): string {
    const at = this.traceAt;
    const last = this.lastTraceAt;
    const dv = this.dv;
    this.lastTraceAt = at;
    if (
      last < 0 || dv.getInt32(at) !== dv.getInt32(last) || dv.getInt32(at + 4) !== dv.getInt32(last + 4) ||
      dv.getInt32(at + 8) !== dv.getInt32(last + 8) || dv.getInt32(at + 12) !== dv.getInt32(last + 12)
    ) this.lastTraceHex = this.buf.toString('hex', at, at + 16);
    return this.lastTraceHex;
  }

  traceHashAt(at: number): number {
    const dv = this.dv;
    return traceHash(dv.getUint32(at), dv.getUint32(at + 4), dv.getUint32(at + 8), dv.getUint32(at + 12));
  }

  spanWordAt(at: number): number {
    return spanWord(this.spanKeyAt(at));
  }

  /** segment-index.ts spanKey from the 8 bytes at `at`: the first 4 (hex digits 0-7) and the last 4 (8-15) as big-endian numbers. */
  spanKeyAt(at: number): number {
    return (this.dv.getUint32(at) % 0x200000) * 0x100000000 + this.dv.getUint32(at + 4);
  }
}

function expectWire(tag: number, wire: number): void {
  if ((tag & 7) !== wire) throw GIVE_UP;
}
