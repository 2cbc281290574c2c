/**
 * Critical path of a trace, used when the server did not send one: from each
 * span, walk back from its end through the child that finished last before
 * the cursor, then the one before that child's start, and so on (the
 * algorithm Jaeger UI uses, at whole-span granularity).
 */
import type { SpanNode, TraceTree } from './trace-tree.ts';

export function computeCriticalPath(tree: TraceTree): Set<string> {
  const onPath = new Set<string>();
  // The root that ends last bounds the trace.
  const root = [...tree.roots].sort((a, b) => b.endNs - a.endNs)[0];
  if (!root) return onPath;
  const stack: { node: SpanNode; bound: number }[] = [{ node: root, bound: root.endNs }];
  while (stack.length > 0) {
    const { node, bound } = stack.pop()!;
    onPath.add(node.span.spanId);
    let cursor = Math.min(node.endNs, bound);
    const children = [...node.children].sort((a, b) => b.endNs - a.endNs);
    for (const child of children) {
      if (child.startNs >= cursor) continue; // starts after the cursor: not waited on
      stack.push({ node: child, bound: cursor });
      cursor = child.startNs;
      if (cursor <= node.startNs) break;
    }
  }
  return onPath;
}
