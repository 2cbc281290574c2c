/**
 * Counts the spans in an OTLP trace export body without decoding it: the
 * discard sink's only work, so that a bench charges the services, not the
 * receiver. Protobuf: ExportTraceServiceRequest.resource_spans (1) ->
 * ResourceSpans.scope_spans (2) -> ScopeSpans.spans (2)
 * (opentelemetry/proto/trace/v1/trace.proto); JSON: the same path by name.
 */

/** Reads a base-128 varint at `pos`; returns [value, next position]. Throws past the end. */
function varint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let mul = 1;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * mul;
    if (b < 0x80) return [value, i + 1];
    mul *= 128;
  }
  throw new RangeError('truncated varint');
}

/** Calls `onField(field, start, end)` for each length-delimited field of the message in buf[start, end); skips the rest. */
function eachLenField(buf: Uint8Array, start: number, end: number, onField: (field: number, s: number, e: number) => void): void {
  let pos = start;
  while (pos < end) {
    const [tag, afterTag] = varint(buf, pos);
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        pos = varint(buf, afterTag)[1];
        break;
      case 1:
        pos = afterTag + 8;
        break;
      case 5:
        pos = afterTag + 4;
        break;
      case 2: {
        const [len, s] = varint(buf, afterTag);
        if (s + len > end) throw new RangeError('field runs past its message');
        onField(field, s, s + len);
        pos = s + len;
        break;
      }
      default:
        throw new RangeError(`unsupported wire type ${tag & 7}`);
    }
  }
}

/** Spans in a protobuf ExportTraceServiceRequest. Throws RangeError on a malformed body. */
export function countProtobufSpans(buf: Uint8Array): number {
  let spans = 0;
  eachLenField(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    eachLenField(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      eachLenField(buf, s2, e2, (f3) => {
        if (f3 === 2) spans++;
      });
    });
  });
  return spans;
}

interface JsonRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

/** Spans in an OTLP/JSON ExportTraceServiceRequest. Throws on a body that is not JSON. */
export function countJsonSpans(text: string): number {
  const req = JSON.parse(text) as JsonRequest;
  let spans = 0;
  for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
  return spans;
}
