/**
 * The exporter's own protobuf bytes of decoded objects, for a store that keeps
 * spans as OTLP protobuf (store/segments/span-protobuf.ts decodes them): taking
 * them costs a view of the request where encoding again costs a writer pass.
 */
import type { Resource, Scope, SpanRecord } from '../model.ts';

type Decoded = SpanRecord | Resource | Scope;

/** A base whose constructor returns its argument, so a subclass's fields land on that object. */
class OnObject {
  constructor(obj: object) {
    return obj;
  }
}

/**
 * The bytes ride on the object as a private field, not in a WeakMap: a WeakMap entry per span
 * measured 1.5 µs (ephemeron work for every short-lived key at each GC), a quarter of the
 * decode, the field 0.1 µs. Like a WeakMap entry, the field is invisible to deep equality,
 * JSON, spreading and structuredClone, so a copy or a rebuilt object has no raw bytes.
 */
class RawBytes extends OnObject {
  #bytes: Uint8Array;

  private constructor(obj: Decoded, bytes: Uint8Array) {
    super(obj);
    this.#bytes = bytes;
  }

  static get(obj: Decoded): Uint8Array | undefined {
    return #bytes in obj ? (obj as unknown as RawBytes).#bytes : undefined;
  }

  static set(obj: Decoded, bytes: Uint8Array): void {
    if (#bytes in obj) (obj as unknown as RawBytes).#bytes = bytes;
    else new RawBytes(obj, bytes);
  }
}

/**
 * The exporter's own protobuf bytes of a decoded span, resource or scope object, when they
 * decoded without loss: the Span, Resource or InstrumentationScope message body, which
 * decodes to an object equal to `obj` as long as `obj` is not modified. A view into the
 * request: copy it to keep it without keeping the whole request.
 */
export function rawBytesOf(obj: Decoded): Uint8Array | undefined {
  return RawBytes.get(obj);
}

/** Used by the decoder. */
export function setRawBytes(obj: Decoded, bytes: Uint8Array): void {
  RawBytes.set(obj, bytes);
}

/**
 * OTLP keeps a resource's and a scope's schema URL in the enclosing ResourceSpans /
 * ScopeSpans, so a stored Resource or InstrumentationScope message carries it as a field
 * of its own (span-protobuf.ts): number 2047, not an OTLP one (official decoders skip it),
 * written first, recognised only there and only in these two bytes (its minimal tag).
 * The decoder keeps no raw bytes that start so: they would decode with a schema URL.
 */
export const SCHEMA_URL_FIELD = 2047;
const TAG = [0xfa, 0x7f]; // varint of (2047 << 3) | 2

export function startsWithSchemaUrl(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === TAG[0] && bytes[1] === TAG[1];
}
