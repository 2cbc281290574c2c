/**
 * Reading OTLP protobuf fields straight off the wire with protobufjs's Reader
 * (https://protobuf.dev/programming-guides/encoding/), limits applied as the
 * bytes go by: strings are decoded only up to the length limit, and whatever a
 * limit drops is skipped by its length prefix without being decoded at all.
 * Values (common/v1 AnyValue, KeyValue, ArrayValue, KeyValueList) recurse at
 * most `maxValueDepth` levels: deeper values are skipped whole.
 */
import protobuf from 'protobufjs';
import type { AnyValue, KeyValue } from '../model.ts';
import { type DecodeContext, MalformedPayloadError, type Owner } from './decode-context.ts';

export type Reader = protobuf.Reader & { buf: Buffer };

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

export function reader(bytes: Uint8Array): Reader {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return protobuf.Reader.create(buf) as Reader;
}

/** Skips an unknown field. Groups (wire types 3 and 4) do not exist in proto3, so OTLP never has them. */
export function skipField(r: Reader, wire: number): void {
  if (wire === VARINT) r.skip();
  else if (wire === I64) r.skip(8);
  else if (wire === LEN) r.skip(r.uint32());
  else if (wire === I32) r.skip(4);
  else throw new MalformedPayloadError(`invalid protobuf: wire type ${wire} at offset ${r.pos}`);
}

export function expectWire(r: Reader, wire: number, want: number): void {
  if (wire !== want) throw new MalformedPayloadError(`invalid protobuf: wire type ${wire} where ${want} belongs, at offset ${r.pos}`);
}

/** Reads a length prefix; returns where the field ends, refusing one that runs past its enclosing message. */
export function fieldEnd(r: Reader, outerEnd: number): number {
  const length = r.uint32();
  const end = r.pos + length;
  if (end > outerEnd) throw new MalformedPayloadError(`invalid protobuf: a field of ${length} bytes at offset ${r.pos} runs past its message`);
  return end;
}

/** A message's fields must end exactly at its length prefix. */
export function checkEnd(r: Reader, end: number): void {
  if (r.pos !== end) throw new MalformedPayloadError(`invalid protobuf: a field runs past its message at offset ${end}`);
}

/** A string field, decoded only as far as the length limit reaches (UTF-8: at most 3 bytes per UTF-16 unit kept). */
export function readString(r: Reader, ctx: DecodeContext): string {
  const end = fieldEnd(r, r.len);
  const start = r.pos;
  r.pos = end;
  const stop = Math.min(end, start + ctx.limits.maxValueLength * 3 + 4);
  return ctx.text(r.buf.toString('utf8', start, stop));
}

/** Bytes as base64, cut to the length limit (only the bytes that can show are encoded). */
export function readBase64(r: Reader, ctx: DecodeContext): string {
  const end = fieldEnd(r, r.len);
  const start = r.pos;
  r.pos = end;
  const stop = Math.min(end, start + Math.ceil((ctx.limits.maxValueLength * 3) / 4) + 3);
  return ctx.text(r.buf.toString('base64', start, stop));
}

/** An id as lowercase hex; an id longer than 20 bytes is shown by its start and can never be valid. */
export function readId(r: Reader): string {
  const end = fieldEnd(r, r.len);
  const start = r.pos;
  r.pos = end;
  if (end - start <= 20) return r.buf.toString('hex', start, end);
  return `${r.buf.toString('hex', start, start + 20)}…`;
}

/** fixed64 as a decimal string (times past 2^53 ns, i.e. every real one, need all 64 bits). */
export function readFixed64(r: Reader): string {
  const lo = r.fixed32();
  const hi = r.fixed32();
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function readInt64(r: Reader): string {
  const v = r.int64() as number | { toString(): string };
  return typeof v === 'number' ? String(v) : v.toString();
}

export function readAnyValue(r: Reader, end: number, ctx: DecodeContext, owner: Owner, depth: number): AnyValue {
  if (depth > ctx.limits.maxValueDepth) {
    r.pos = end;
    ctx.truncate();
    return {};
  }
  let v: AnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: expectWire(r, wire, LEN); v = { stringValue: readString(r, ctx) }; break;
      case 2: expectWire(r, wire, VARINT); v = { boolValue: r.bool() }; break;
      case 3: expectWire(r, wire, VARINT); v = { intValue: readInt64(r) }; break;
      case 4: {
        expectWire(r, wire, I64);
        const d = r.double();
        v = { doubleValue: Number.isFinite(d) ? d : String(d) };
        break;
      }
      case 5: expectWire(r, wire, LEN); v = { arrayValue: { values: readArrayValue(r, fieldEnd(r, end), ctx, owner, depth + 1) } }; break;
      case 6: expectWire(r, wire, LEN); v = { kvlistValue: { values: readKeyValues(r, fieldEnd(r, end), ctx, owner, depth + 1) } }; break;
      case 7: expectWire(r, wire, LEN); v = { bytesValue: readBase64(r, ctx) }; break;
      default: skipField(r, wire);
    }
  }
  checkEnd(r, end);
  return v;
}

export function readKeyValue(r: Reader, end: number, ctx: DecodeContext, owner: Owner, depth: number): KeyValue {
  let key = '';
  let value: AnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1) {
      expectWire(r, wire, LEN);
      key = readString(r, ctx);
    } else if (tag >>> 3 === 2) {
      expectWire(r, wire, LEN);
      value = readAnyValue(r, fieldEnd(r, end), ctx, owner, depth);
    } else skipField(r, wire);
  }
  checkEnd(r, end);
  return { key, value };
}

/**
 * A repeated field 1 whose every element takes an item from its owner's budget
 * (ArrayValue elements, KeyValueList entries); the rest are skipped unread.
 */
function readBudgeted<T>(r: Reader, end: number, ctx: DecodeContext, owner: Owner, readItem: (itemEnd: number) => T): T[] {
  const values: T[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 !== 1) {
      skipField(r, wire);
      continue;
    }
    expectWire(r, wire, LEN);
    const itemEnd = fieldEnd(r, end);
    if (ctx.takeItem(owner)) values.push(readItem(itemEnd));
    else {
      r.pos = itemEnd;
      ctx.truncate();
    }
  }
  checkEnd(r, end);
  return values;
}

function readArrayValue(r: Reader, end: number, ctx: DecodeContext, owner: Owner, depth: number): AnyValue[] {
  return readBudgeted(r, end, ctx, owner, (itemEnd) => readAnyValue(r, itemEnd, ctx, owner, depth));
}

function readKeyValues(r: Reader, end: number, ctx: DecodeContext, owner: Owner, depth: number): KeyValue[] {
  return readBudgeted(r, end, ctx, owner, (itemEnd) => readKeyValue(r, itemEnd, ctx, owner, depth));
}

/**
 * One attribute of a span, resource, scope, event or link (the tag is read):
 * kept when the owner's budget allows, else skipped unread. Returns false when dropped.
 */
export function readAttribute(r: Reader, end: number, ctx: DecodeContext, owner: Owner, into: KeyValue[]): boolean {
  const itemEnd = fieldEnd(r, end);
  if (!ctx.takeItem(owner)) {
    r.pos = itemEnd;
    return false;
  }
  into.push(readKeyValue(r, itemEnd, ctx, owner, 0));
  return true;
}
