/**
 * What the segment store keeps of a span: its OTLP bytes (stored) and the few
 * fields its index reads. A request scanned straight from the wire
 * (request-scan.ts) and a decoded span (factsOf) give the same facts, so the
 * store has one write path whichever way the spans came.
 */
import { type SpanKindNumber, type StoredSpan, valueToString } from '../../model.ts';
import { rawBytesOf } from '../../receive/raw-bytes.ts';
import { spanKey } from './segment-index.ts';
import { encodeResource, encodeScope, encodeSpan } from './span-protobuf.ts';

/** One resource, shared by the spans reported under it. */
export interface ResourceFacts {
  service: string;
  /** Attribute keys and values (valueToString form), alternating: [k0, v0, k1, v1, ...]. */
  pairs: string[];
  /** The Resource message (span-protobuf.ts). */
  bytes: Uint8Array;
}

export interface SpanFacts {
  /** Lowercase hex. */
  traceId: string;
  /** spanKey(span id): 53 bits of it, what de-duplication compares. */
  spanKey: number;
  root: boolean;
  /** For pairing spans with parents (edge-resolver.ts): traceHash of the trace id, spanWord of the parent's id (0 for a root). */
  traceHash: number;
  parentWord: number;
  /** Links as [traceHash, spanWord, ...]; empty for most spans. */
  links: number[];
  name: string;
  kind: SpanKindNumber;
  startNs: bigint;
  endNs: bigint;
  statusCode: number;
  /** Span attribute keys and values, alternating, as in ResourceFacts. */
  pairs: string[];
  resource: ResourceFacts;
  /** The InstrumentationScope message. */
  scope: Uint8Array;
  /** The Span message. */
  bytes: Uint8Array;
}

function pairsOf(attributes: StoredSpan['span']['attributes']): string[] {
  const out: string[] = [];
  for (const kv of attributes) out.push(kv.key, valueToString(kv.value));
  return out;
}

/** The links of a span that has none: shared, never pushed to. */
export const NO_LINKS: number[] = [];

/**
 * Per process: the pairing tables' slots depend on it, so ids cannot be chosen to pile into
 * one slot chain (edge-resolver.ts also caps the chains).
 */
const SEED = (Math.random() * 2 ** 32) >>> 0;

/** A seeded 32-bit hash of a trace id given as its four big-endian words. */
export function traceHash(w0: number, w1: number, w2: number, w3: number): number {
  let h = SEED;
  h = Math.imul(h ^ w0, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ w1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ w2, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ w3, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const word = (hex: string, at: number) => Number.parseInt(hex.slice(at, at + 8), 16) >>> 0;
export const traceHashOfHex = (hex: string): number => traceHash(word(hex, 0), word(hex, 8), word(hex, 16), word(hex, 24));

/** A span id's spanKey (segment-index.ts) folded into 32 bits. */
export const spanWord = (key: number): number => ((key >>> 0) ^ Math.imul(Math.floor(key / 0x100000000), 0x9e3779b1)) >>> 0;

/** Per decoded resource and scope object, computed once: the spans of one export share them. */
const resources = new WeakMap<object, ResourceFacts>();
const scopes = new WeakMap<object, Uint8Array>();

export function factsOf(s: StoredSpan): SpanFacts {
  let resource = resources.get(s.resource);
  if (!resource) {
    resource = { service: s.service, pairs: pairsOf(s.resource.attributes), bytes: rawBytesOf(s.resource) ?? encodeResource(s.resource) };
    resources.set(s.resource, resource);
  }
  let scope = scopes.get(s.scope);
  if (!scope) {
    scope = rawBytesOf(s.scope) ?? encodeScope(s.scope);
    scopes.set(s.scope, scope);
  }
  const sp = s.span;
  return {
    traceId: sp.traceId,
    spanKey: spanKey(sp.spanId),
    root: sp.parentSpanId === '',
    traceHash: traceHashOfHex(sp.traceId),
    parentWord: sp.parentSpanId === '' ? 0 : spanWord(spanKey(sp.parentSpanId)),
    links: sp.links.length ? sp.links.flatMap((l) => [traceHashOfHex(l.traceId), spanWord(spanKey(l.spanId))]) : NO_LINKS,
    name: sp.name,
    kind: sp.kind,
    startNs: BigInt(sp.startTimeUnixNano),
    endNs: BigInt(sp.endTimeUnixNano),
    statusCode: sp.status.code,
    pairs: pairsOf(sp.attributes),
    resource,
    scope,
    bytes: rawBytesOf(sp) ?? encodeSpan(sp),
  };
}
