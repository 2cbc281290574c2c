/**
 * OTLP protobuf written byte by byte, for requests no SDK would build: millions
 * of repeated fields, fields the limits must cut. Field numbers from
 * opentelemetry-proto (trace/v1, common/v1, collector/trace/v1).
 */

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field (wire type 2). */
export function ld(field: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((field << 3) | 2), varint(body.length), body]);
}

/** A fixed64 field (wire type 1). */
export function fixed64(field: number, v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return Buffer.concat([varint((field << 3) | 1), b]);
}

export function stringAttr(key: string, value: string): Buffer {
  return ld(1, Buffer.concat([ld(1, key), ld(2, ld(1, value))]));
}

export interface WireSpan {
  traceId: string;
  spanId: string;
  name?: string;
  startNs?: bigint;
  /** Extra span fields, already encoded (attributes = field 9, events = 11, links = 13, ...). */
  extra?: Buffer[];
}

export function spanBytes(s: WireSpan): Buffer {
  const start = s.startNs ?? 1_750_000_000_000_000_001n;
  return Buffer.concat([
    ld(1, Buffer.from(s.traceId, 'hex')),
    ld(2, Buffer.from(s.spanId, 'hex')),
    ld(5, s.name ?? 'wire'),
    fixed64(7, start),
    fixed64(8, start + 1000n),
    ...(s.extra ?? []),
  ]);
}

/** ExportTraceServiceRequest with one resource (service `service`) and one scope holding `spans` (encoded Span messages). */
export function requestBytes(spans: Buffer[], service = 'wire', scope: Buffer = ld(1, 'wire-test')): Buffer {
  const scopeSpans = Buffer.concat([ld(1, scope), ...spans.map((s) => ld(2, s))]);
  const resource = ld(1, stringAttr('service.name', service));
  return ld(1, Buffer.concat([ld(1, resource), ld(2, scopeSpans)]));
}

/** `count` copies of an empty message in field `field`: 2 bytes each on the wire. */
export function emptyRepeated(field: number, count: number): Buffer {
  const one = Buffer.concat([varint((field << 3) | 2), varint(0)]);
  return Buffer.alloc(one.length * count, one);
}
