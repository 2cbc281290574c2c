/**
 * Splits an OTLP/protobuf ExportTraceServiceRequest into one request per shard, each span going
 * to the shard of its trace id, without decoding anything but the message framing. Every
 * message a span sits in (its ResourceSpans' resource and schema URL, its ScopeSpans' scope)
 * is copied byte for byte into each shard's request that holds one of its spans, so a shard's
 * scan sees exactly the resource and scope the whole request's scan would.
 *
 * Anything the framing walk does not understand (a wire type protobuf has no use for here, a
 * length running past its message, a varint of more than five bytes) gives undefined: the
 * caller then decodes the whole request, and the decoder says what is wrong with it.
 */

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** A field as it sits in the request: from its tag to its end. */
type Slice = [start: number, end: number];

interface ScopePart {
  /** Every field but the spans (the scope, the schema URL, unknown fields). */
  other: Slice[];
  spans: Slice[];
  shards: number[];
}

interface ResourcePart {
  other: Slice[];
  scopes: ScopePart[];
}

/**
 * The shard of a trace id (16 bytes at `at`): its last eight bytes, the random part W3C Trace
 * Context asks for (the first ones may hold a time, as X-Ray's do), folded to a word.
 */
export function shardOfTraceBytes(buf: Uint8Array, at: number, shards: number): number {
  let h = 0;
  for (let i = at + 8; i < at + 16; i++) h = (Math.imul(h, 31) + (buf[i] as number)) | 0;
  return (h >>> 0) % shards;
}

const HEX = /^[0-9a-f]{32}$/;

/** The shard of a trace id in hex, the same as `shardOfTraceBytes` of its bytes; shard 0 for anything not a trace id. */
export function shardOfTraceHex(traceId: string, shards: number): number {
  const id = traceId.toLowerCase();
  if (!HEX.test(id)) return 0;
  return shardOfTraceBytes(Buffer.from(id, 'hex'), 0, shards);
}

class Framing {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** A canonical varint of up to 32 bits; anything else is not ours to interpret. */
  varint(end: number): number | undefined {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= end) return undefined;
      const b = this.buf[this.pos++] as number;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value <= 0xffffffff ? value : undefined;
    }
    return undefined;
  }

  /** Skips the field whose tag was just read; false when it cannot be skipped. */
  skip(wire: number, end: number): boolean {
    if (wire === VARINT) return this.varint(end) !== undefined;
    if (wire === I64) return (this.pos += 8) <= end;
    if (wire === I32) return (this.pos += 4) <= end;
    if (wire !== LEN) return false;
    const stop = this.payloadEnd(end);
    if (stop === undefined) return false;
    this.pos = stop;
    return true;
  }

  /** Reads a length prefix; the end of the payload it announces, when that lies inside `end`. */
  payloadEnd(end: number): number | undefined {
    const n = this.varint(end);
    return n === undefined || this.pos + n > end ? undefined : this.pos + n;
  }
}

/** The shard of one Span message (`start`..`end`, its payload): of its last trace_id field, as the decoder keeps the last. */
function spanShard(f: Framing, start: number, end: number, shards: number): number | undefined {
  f.pos = start;
  let traceAt = -1;
  let traceLength = 0;
  while (f.pos < end) {
    const tag = f.varint(end);
    if (tag === undefined) return undefined;
    if (tag >>> 3 === 1 && (tag & 7) === LEN) {
      const stop = f.payloadEnd(end);
      if (stop === undefined) return undefined;
      traceAt = f.pos;
      traceLength = stop - f.pos;
      f.pos = stop;
    } else if (!f.skip(tag & 7, end)) return undefined;
  }
  // A span without a valid trace id is the decoder's to refuse: any shard will do, the first.
  return traceLength === 16 ? shardOfTraceBytes(f.buf, traceAt, shards) : 0;
}

/**
 * Walks a message's fields to `end`: each length-delimited `field` goes to `child` (at: its tag;
 * start..stop: its payload), every other field whole to `other`. False when the framing is not
 * one this walk reads, or `child` said so.
 */
function fields(f: Framing, end: number, field: number, other: Slice[], child: (at: number, start: number, stop: number) => boolean): boolean {
  while (f.pos < end) {
    const at = f.pos;
    const tag = f.varint(end);
    if (tag === undefined) return false;
    if (tag >>> 3 === field) {
      // The decoder refuses this field with another wire type: its message to give.
      if ((tag & 7) !== LEN) return false;
      const stop = f.payloadEnd(end);
      if (stop === undefined || !child(at, f.pos, stop)) return false;
      f.pos = stop;
    } else {
      if (!f.skip(tag & 7, end)) return false;
      other.push([at, f.pos]);
    }
  }
  return true;
}

function scopeSpans(f: Framing, end: number, shards: number): ScopePart | undefined {
  const part: ScopePart = { other: [], spans: [], shards: [] };
  const read = fields(f, end, 2, part.other, (at, start, stop) => {
    const shard = spanShard(f, start, stop, shards);
    if (shard === undefined) return false;
    part.spans.push([at, stop]);
    part.shards.push(shard);
    return true;
  });
  return read ? part : undefined;
}

function resourceSpans(f: Framing, end: number, shards: number): ResourcePart | undefined {
  const part: ResourcePart = { other: [], scopes: [] };
  const read = fields(f, end, 2, part.other, (_at, _start, stop) => {
    const scope = scopeSpans(f, stop, shards);
    if (scope) part.scopes.push(scope);
    return scope !== undefined;
  });
  return read ? part : undefined;
}

const width = (s: Slice): number => s[1] - s[0];
const sum = (slices: readonly Slice[]): number => slices.reduce((n, s) => n + width(s), 0);
const varintBytes = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

/** A message with no span at all goes to the first shard only: its fields then count once, as in the whole request. */
const holds = (scope: ScopePart, shard: number): boolean => (scope.spans.length === 0 ? shard === 0 : scope.shards.includes(shard));

class Writer {
  pos = 0;
  constructor(
    readonly out: Uint8Array,
    readonly src: Uint8Array,
  ) {}

  varint(n: number): void {
    while (n >= 0x80) {
      this.out[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.out[this.pos++] = n;
  }

  copy(s: Slice): void {
    this.out.set(this.src.subarray(s[0], s[1]), this.pos);
    this.pos += width(s);
  }
}

/** Payload size of one shard's ScopeSpans, and of one shard's ResourceSpans (undefined: the shard has none of it). */
function scopeSize(scope: ScopePart, shard: number): number {
  let n = sum(scope.other);
  scope.spans.forEach((s, i) => {
    if (scope.shards[i] === shard) n += width(s);
  });
  return n;
}

function resourceSize(r: ResourcePart, shard: number): number | undefined {
  let n = sum(r.other);
  let any = r.scopes.length === 0 && shard === 0;
  for (const scope of r.scopes) {
    if (!holds(scope, shard)) continue;
    any = true;
    const size = scopeSize(scope, shard);
    n += 1 + varintBytes(size) + size;
  }
  return any ? n : undefined;
}

/**
 * One request per shard (a shard with no span of the request gets undefined) and the request's
 * span count, or undefined when the framing is not one this walk reads. A request with no span
 * at all goes whole to shard 0.
 */
export function splitRequest(buf: Uint8Array, shards: number): { parts: Array<Uint8Array | undefined>; spans: number } | undefined {
  const f = new Framing(buf);
  const other: Slice[] = [];
  const resources: ResourcePart[] = [];
  const read = fields(f, buf.length, 1, other, (_at, _start, stop) => {
    const r = resourceSpans(f, stop, shards);
    if (r) resources.push(r);
    return r !== undefined;
  });
  if (!read) return undefined;
  const out: Array<Uint8Array | undefined> = [];
  const spans = resources.reduce((n, r) => n + r.scopes.reduce((m, scope) => m + scope.spans.length, 0), 0);
  for (let shard = 0; shard < shards; shard++) {
    const sizes = resources.map((r) => resourceSize(r, shard));
    const held = sizes.some((s) => s !== undefined);
    if (!held && !(shard === 0 && resources.length === 0)) {
      out.push(undefined);
      continue;
    }
    let total = sum(other);
    for (const s of sizes) if (s !== undefined) total += 1 + varintBytes(s) + s;
    // Its own ArrayBuffer: it is handed to the shard's thread, not copied again.
    const w = new Writer(new Uint8Array(total), buf);
    for (const s of other) w.copy(s);
    resources.forEach((r, i) => {
      const size = sizes[i];
      if (size === undefined) return;
      w.varint((1 << 3) | LEN);
      w.varint(size);
      for (const s of r.other) w.copy(s);
      for (const scope of r.scopes) {
        if (!holds(scope, shard)) continue;
        w.varint((2 << 3) | LEN);
        w.varint(scopeSize(scope, shard));
        for (const s of scope.other) w.copy(s);
        scope.spans.forEach((s, j) => {
          if (scope.shards[j] === shard) w.copy(s);
        });
      }
    });
    out.push(w.out);
  }
  return { parts: out, spans };
}
