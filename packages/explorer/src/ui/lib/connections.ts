/**
 * Arrows drawn over the waterfall: messaging hops (a producer span and the
 * consumer span that continues it) and span links that point inside the trace.
 * Links to other traces are not arrows; the row shows them as chips instead.
 */
import type { TraceTree } from './trace-tree.ts';

export interface Connection {
  fromId: string;
  toId: string;
  type: 'hop' | 'link';
}

export function traceConnections(tree: TraceTree, traceId: string): Connection[] {
  const out: Connection[] = [];
  const seen = new Set<string>();
  const add = (c: Connection): void => {
    const key = `${c.fromId}>${c.toId}`;
    if (seen.has(key) || c.fromId === c.toId) return;
    seen.add(key);
    out.push(c);
  };
  for (const node of tree.preorder) {
    const { span } = node;
    if (span.kind === 'CONSUMER' && node.parent?.span.kind === 'PRODUCER') {
      add({ fromId: node.parent.span.spanId, toId: span.spanId, type: 'hop' });
    }
    for (const link of span.links) {
      if (link.traceId.toLowerCase() !== traceId.toLowerCase() || !tree.byId.has(link.spanId)) continue;
      const target = tree.byId.get(link.spanId)!;
      add({
        fromId: link.spanId,
        toId: span.spanId,
        type: target.span.kind === 'PRODUCER' && span.kind === 'CONSUMER' ? 'hop' : 'link',
      });
    }
  }
  return out;
}

/** Whether a span sends or receives a message: shown with a messaging badge. */
export function isMessaging(kind: string): boolean {
  return kind === 'PRODUCER' || kind === 'CONSUMER';
}
