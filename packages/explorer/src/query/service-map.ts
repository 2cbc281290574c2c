/**
 * Service map from stored spans: an edge wherever a call or message crosses
 * services: CLIENT -> SERVER and PRODUCER -> CONSUMER parent/child pairs,
 * PRODUCER -> CONSUMER links (batch consumers), and other cross-service
 * parent/child pairs (kind 'other', e.g. an uninstrumented client).
 * Messaging edges carry the broker (`system`, from `messaging.system`).
 */
import type { EdgeKind, ServiceMap } from '../api-types.ts';
import type { StoredSpan } from '../model.ts';

const has = (s: StoredSpan, prefix: string) => s.span.attributes.some((a) => a.key.startsWith(prefix));

/** `messaging.system` (OTel semantic conventions: kafka, rabbitmq, ...) of either end, producer first. */
function messagingSystem(from: StoredSpan, to: StoredSpan): string | undefined {
  for (const s of [from, to]) {
    const v = s.span.attributes.find((a) => a.key === 'messaging.system')?.value.stringValue;
    if (v) return v.toLowerCase();
  }
  return undefined;
}

function edgeKind(from: StoredSpan, to: StoredSpan): EdgeKind {
  const fk = from.span.kind;
  const tk = to.span.kind;
  if (fk === 4 || tk === 5 || has(from, 'messaging.') || has(to, 'messaging.')) return 'messaging';
  if (has(from, 'rpc.') || has(to, 'rpc.')) return 'rpc';
  if (has(from, 'http.') || has(to, 'http.')) return 'http';
  return 'other';
}

export function buildServiceMap(traces: StoredSpan[][]): ServiceMap {
  const nodes = new Map<string, { service: string; spanCount: number; errorCount: number }>();
  const edges = new Map<string, { from: string; to: string; kind: EdgeKind; system?: string; count: number; errorCount: number }>();
  const byId = new Map<string, StoredSpan>();
  for (const spans of traces) for (const s of spans) byId.set(`${s.span.traceId}:${s.span.spanId}`, s);

  const addEdge = (from: StoredSpan, to: StoredSpan) => {
    const kind = edgeKind(from, to);
    // Kafka and RabbitMQ between the same two services are two edges, each with its own error rate.
    const system = kind === 'messaging' ? messagingSystem(from, to) : undefined;
    const key = `${from.service}\u0000${to.service}\u0000${kind}\u0000${system ?? ''}`;
    let e = edges.get(key);
    if (!e) {
      e = { from: from.service, to: to.service, kind, ...(system ? { system } : {}), count: 0, errorCount: 0 };
      edges.set(key, e);
    }
    e.count++;
    if (to.span.status.code === 2 || from.span.status.code === 2) e.errorCount++;
  };

  for (const spans of traces) {
    for (const s of spans) {
      let n = nodes.get(s.service);
      if (!n) {
        n = { service: s.service, spanCount: 0, errorCount: 0 };
        nodes.set(s.service, n);
      }
      n.spanCount++;
      if (s.span.status.code === 2) n.errorCount++;

      const parent = s.span.parentSpanId ? byId.get(`${s.span.traceId}:${s.span.parentSpanId}`) : undefined;
      if (parent && parent.service !== s.service) addEdge(parent, s);
      if (s.span.kind === 5) {
        for (const l of s.span.links) {
          const producer = byId.get(`${l.traceId}:${l.spanId}`);
          if (producer && producer.span.kind === 4 && producer.service !== s.service && producer !== parent) addEdge(producer, s);
        }
      }
    }
  }
  return serviceMapOf(nodes.values(), edges.values());
}

type Node = ServiceMap['nodes'][number];
type Edge = Omit<ServiceMap['edges'][number], 'errorRate'>;

/** The answer's order and error rates, whoever counted the nodes and edges. */
export function serviceMapOf(nodes: Iterable<Node>, edges: Iterable<Edge>): ServiceMap {
  return {
    nodes: [...nodes].sort((a, b) => a.service.localeCompare(b.service)),
    edges: [...edges]
      .map((e) => ({ ...e, errorRate: e.count ? e.errorCount / e.count : 0 }))
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind) || (a.system ?? '').localeCompare(b.system ?? '')),
  };
}
