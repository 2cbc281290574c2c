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
  /** The last 4 bytes of the trace id and of the parent span id (0 for a root), for pairing spans with parents (edge-resolver.ts). */
  traceLow: number;
  parentLow: number;
  /** Links as [trace low, span low, ...] (the last 4 bytes of each id); empty for most spans. */
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

const NO_LINKS: number[] = [];
/** The last 8 hex digits (4 bytes) of an id as an unsigned number. */
const low32 = (hexId: string) => Number.parseInt(hexId.slice(-8), 16) >>> 0;

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
    traceLow: low32(sp.traceId),
    parentLow: sp.parentSpanId === '' ? 0 : low32(sp.parentSpanId),
    links: sp.links.length ? sp.links.flatMap((l) => [low32(l.traceId), low32(l.spanId)]) : NO_LINKS,
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
