/**
 * A protobuf writer for OTLP export requests: one pass into a growing scratch
 * buffer. A nested message reserves the bytes its length usually needs and
 * moves its body when the length turns out longer or shorter, so the output
 * is canonical protobuf (minimal varints), byte for byte what the official
 * serializer writes, without its separate size-estimating pass.
 */

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[97 + i] = 10 + i;
  HEX[65 + i] = 10 + i;
}

const varintSize = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);

/** Writes `v` (below 2^32) as a varint into `b` at `p`; returns the position after it. */
function putVarint32(b: Buffer, p: number, v: number): number {
  while (v > 0x7f) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[p++] = v;
  return p;
}

/** Encoded `tag + length + bytes` of short strings that repeat (attribute keys, span names). */
export class FieldCache {
  private readonly map = new Map<string, Buffer>();
  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}
  get(s: string): Buffer | undefined {
    return this.map.get(s);
  }
  /** Remembers `bytes` for `s` when short enough; forgets everything when full (bounded memory). */
  put(s: string, bytes: Buffer): void {
    if (s.length > this.maxChars) return;
    if (this.map.size >= this.maxEntries) this.map.clear();
    this.map.set(s, Buffer.from(bytes));
  }
}

export class OtlpWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of what was written: the scratch buffer is reused by the next request. */
  take(): Uint8Array {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned varint of a non-negative integer below 2^32. */
  varint32(v: number): void {
    this.ensure(5);
    this.pos = putVarint32(this.buf, this.pos, v);
  }

  /** int64 varint (negative numbers as 10-byte two's complement), as protobuf encodes `int64`. */
  varint64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) return this.varint32(value);
    let low: number;
    let high: number;
    const abs = Math.abs(value);
    low = abs >>> 0;
    high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.ensure(10);
    const b = this.buf;
    while (high > 0 || low > 0x7f) {
      b[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    b[this.pos++] = low & 0x7f;
  }

  tag(field: number, wireType: number): void {
    this.varint32((field << 3) | wireType);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    const b = this.buf;
    b.writeUInt32LE(low >>> 0, this.pos);
    b.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string (tag written by the caller). */
  string(s: string): void {
    const n = s.length;
    if (n < 128) {
      // One byte of length for a short ASCII string, written while checking it is ASCII.
      this.ensure(n + 1);
      const b = this.buf;
      let p = this.pos + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 127) return this.utf8(s);
        b[p++] = c;
      }
      b[this.pos] = n;
      this.pos = p;
      return;
    }
    this.utf8(s);
  }

  private utf8(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.varint32(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, len === s.length ? 'latin1' : 'utf8');
    this.pos += len;
  }

  /** A string field, left out when empty or absent (proto3: an empty string is the default). */
  optionalString(field: number, s: string | undefined): void {
    if (!s) return;
    this.tag(field, 2);
    this.string(s);
  }

  /** Bytes encoded earlier (a cached field or message), as they are. */
  raw(bytes: Buffer): void {
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  /** `tag + string`, served from `cache` when the same string was written before. */
  cachedString(field: number, s: string, cache: FieldCache): void {
    const hit = cache.get(s);
    if (hit) return this.raw(hit);
    const start = this.pos;
    this.tag(field, 2);
    this.string(s);
    cache.put(s, this.buf.subarray(start, this.pos));
  }

  /** A hex id (trace or span id) as `bytes`: what the official `hexToBinary` makes of it. */
  hexBytes(hex: string): void {
    const n = hex.length >>> 1;
    this.varint32(n);
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const hi = HEX[hex.charCodeAt(2 * i)] ?? -1;
      const lo = HEX[hex.charCodeAt(2 * i + 1)] ?? -1;
      // hexToBinary maps a non-hex digit to 0; ids from the SDK are always valid hex.
      b[p++] = ((hi < 0 ? 0 : hi) << 4) | (lo < 0 ? 0 : lo);
    }
    this.pos = p;
  }

  /**
   * Starts a nested message, reserving `reserve` bytes for its length; returns the mark that
   * `end` takes. Reserve what the message usually needs (1 for small parts, 2 for a span).
   */
  begin(reserve: number): number {
    this.ensure(reserve);
    const mark = this.pos * 8 + reserve;
    this.pos += reserve;
    return mark;
  }

  /** Writes the length of the message `begin` started, moving its body if the length needs other than the reserved bytes. */
  end(mark: number): void {
    const reserve = mark & 7;
    const at = (mark - reserve) / 8;
    const bodyStart = at + reserve;
    const length = this.pos - bodyStart;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buf.copyWithin(at + size, bodyStart, this.pos);
      this.pos += size - reserve;
    }
    putVarint32(this.buf, at, length);
  }
}

