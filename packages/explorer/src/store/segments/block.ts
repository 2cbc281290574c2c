/**
 * A block: the spans one commit adds to one segment, as the exporters' own
 * OTLP protobuf messages (span-protobuf.ts), grouped by trace so a reader
 * skips other traces by length without decoding them. Resources and scopes
 * are listed once per block, so a block reads on its own, needing no other
 * part of the file.
 *
 *   block    := uvarint(#resources) bytes*  uvarint(#scopes) bytes*  uvarint(#traces) trace*
 *   trace    := traceId(16 bytes) uvarint(#spans) span*
 *   span     := uvarint(resource index) uvarint(scope index) bytes
 *   bytes    := uvarint(length) length bytes
 */
import { MalformedBlockError } from './segment-errors.ts';

/** One span to store: its bytes and those of the resource and scope it was reported under. */
export interface SpanBytes {
  span: Uint8Array;
  resource: Uint8Array;
  scope: Uint8Array;
}

/** Collects one commit's spans for one segment; `encode` lays them out. */
export class BlockBuilder {
  private readonly traces = new Map<string, { id: Uint8Array; spans: SpanBytes[] }>();
  spanCount = 0;

  add(traceId: string, span: SpanBytes): void {
    let t = this.traces.get(traceId);
    if (!t) {
      t = { id: Buffer.from(traceId, 'hex'), spans: [] };
      this.traces.set(traceId, t);
    }
    t.spans.push(span);
    this.spanCount++;
  }

  encode(): Uint8Array {
    const w = new ByteWriter(this.spanCount * 256 + 64);
    const resources = new Table();
    const scopes = new Table();
    const body = new ByteWriter(this.spanCount * 240 + 64);
    body.uvarint(this.traces.size);
    for (const t of this.traces.values()) {
      body.raw(t.id);
      body.uvarint(t.spans.length);
      for (const s of t.spans) {
        body.uvarint(resources.indexOf(s.resource));
        body.uvarint(scopes.indexOf(s.scope));
        body.bytes(s.span);
      }
    }
    for (const table of [resources, scopes]) {
      w.uvarint(table.items.length);
      for (const b of table.items) w.bytes(b);
    }
    w.raw(body.result());
    return w.result();
  }
}

/** Distinct byte strings in first-seen order (the same resource object usually repeats by identity). */
class Table {
  readonly items: Uint8Array[] = [];
  private readonly byObject = new Map<Uint8Array, number>();
  private readonly byContent = new Map<string, number>();

  indexOf(b: Uint8Array): number {
    const known = this.byObject.get(b);
    if (known !== undefined) return known;
    const key = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
    let i = this.byContent.get(key);
    if (i === undefined) {
      i = this.items.push(b) - 1;
      this.byContent.set(key, i);
    }
    this.byObject.set(b, i);
    return i;
  }
}

/** A trace's spans as read back from a block, resources and scopes shared between the spans that name them. */
export interface BlockTrace {
  traceId: string;
  spans: Array<{ span: Uint8Array; resource: Uint8Array; scope: Uint8Array }>;
}

/** Every trace of a block, or only `want` (lowercase hex) when given; the others are skipped unread. */
export function readBlock(block: Uint8Array, want?: string): BlockTrace[] {
  const r = new ByteReader(block);
  const resources = r.table();
  const scopes = r.table();
  const wantBytes = want === undefined ? undefined : Buffer.from(want, 'hex');
  const out: BlockTrace[] = [];
  for (let n = r.uvarint(); n > 0; n--) {
    const id = r.take(16);
    const count = r.uvarint();
    if (wantBytes && !wantBytes.equals(id)) {
      for (let i = 0; i < count; i++) (r.uvarint(), r.uvarint(), r.skipBytes());
      continue;
    }
    const t: BlockTrace = { traceId: Buffer.from(id.buffer, id.byteOffset, 16).toString('hex'), spans: [] };
    for (let i = 0; i < count; i++) {
      const resource = resources[r.uvarint()];
      const scope = scopes[r.uvarint()];
      const span = r.bytes();
      if (!resource || !scope) throw new MalformedBlockError('a span names a resource or scope the block does not hold');
      t.spans.push({ span, resource, scope });
    }
    out.push(t);
    if (wantBytes) break;
  }
  return out;
}

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  uvarint(v: number): void {
    this.room(10);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.raw(b);
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) throw new MalformedBlockError('a number runs past the end of the block');
      const b = this.buf[this.pos++] as number;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new MalformedBlockError('a number in the block is too long');
  }

  take(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw new MalformedBlockError('a field runs past the end of the block');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  bytes(): Uint8Array {
    return this.take(this.uvarint());
  }

  skipBytes(): void {
    this.take(this.uvarint());
  }

  table(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let n = this.uvarint(); n > 0; n--) out.push(this.bytes());
    return out;
  }
}
