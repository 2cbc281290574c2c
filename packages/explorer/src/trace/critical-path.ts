/**
 * The critical path: the sections of spans that decided when the trace
 * ended. Jaeger UI's algorithm (jaeger-ui packages/jaeger-ui/src/components/
 * TracePage/CriticalPath: index.ts, utils/sanitizeOverFlowingChildren.ts,
 * utils/findLastFinishingChildSpan.ts, utils/filterBlockingSpans.ts):
 *
 * 1. Children are trimmed to their parent's time range; a child wholly
 *    outside it is dropped with its subtree.
 * 2. A CONSUMER below a PRODUCER is not waited on (async messaging): it is
 *    dropped with its subtree.
 * 3. From a span's end, walk back through the child that *finished* last
 *    before the cursor (the last finishing child), descend into it, and on
 *    the way back up move the cursor to that child's start. Siblings that
 *    overlap the chosen child end after the cursor and stay off the path.
 *
 * Iterative and linear after sorting each span's children by end once: the
 * cursor at a span only moves back, so each child is looked at once.
 */
import type { SpanTree, TraceSpan, TreeNode } from './types.ts';

/** A stretch of one span on the critical path, trace-relative ns. */
export interface CriticalSection {
  spanId: string;
  startNs: number;
  endNs: number;
}

interface Blocking {
  start: number;
  end: number;
  /** Kept children, latest end first. */
  kids: TreeNode<TraceSpan>[];
  /** Next entry of `kids` that may still be chosen. */
  next: number;
}

const nonBlocking = (child: TreeNode<TraceSpan>, parent: TreeNode<TraceSpan>): boolean =>
  parent.span.kind === 'PRODUCER' && child.span.kind === 'CONSUMER';

/** Steps 1 and 2: the spans below `root` that can block it, with trimmed times. */
function blockingSpans(root: TreeNode<TraceSpan>): Map<TreeNode<TraceSpan>, Blocking> {
  const kept = new Map<TreeNode<TraceSpan>, Blocking>([[root, { start: root.startNs, end: root.endNs, kids: [], next: 0 }]]);
  const stack = [root];
  while (stack.length > 0) {
    const parent = stack.pop() as TreeNode<TraceSpan>;
    const p = kept.get(parent) as Blocking;
    for (const child of parent.children) {
      if (nonBlocking(child, parent) || child.startNs >= p.end || child.endNs <= p.start) continue;
      kept.set(child, { start: Math.max(child.startNs, p.start), end: Math.min(child.endNs, p.end), kids: [], next: 0 });
      p.kids.push(child);
      stack.push(child);
    }
  }
  for (const b of kept.values()) b.kids.sort((x, y) => (kept.get(y) as Blocking).end - (kept.get(x) as Blocking).end);
  return kept;
}

/** Step 3 for one root; appends to `out`. */
function walkBack(root: TreeNode<TraceSpan>, out: CriticalSection[]): void {
  const kept = blockingSpans(root);
  const push = (node: TreeNode<TraceSpan>, startNs: number, endNs: number): void => {
    if (endNs > startNs) out.push({ spanId: node.span.spanId, startNs, endNs });
  };
  let node = root;
  let cursor: number | undefined; // undefined: entering the span, which counts from its end
  for (;;) {
    const b = kept.get(node) as Blocking;
    const bound = cursor ?? b.end;
    // Jaeger: on the way back, a child qualifies only if it ended strictly before the cursor.
    while (cursor !== undefined && b.next < b.kids.length && (kept.get(b.kids[b.next] as TreeNode<TraceSpan>) as Blocking).end >= cursor) b.next++;
    const lfc = b.kids[b.next];
    if (lfc) {
      b.next++;
      push(node, (kept.get(lfc) as Blocking).end, bound);
      node = lfc;
      cursor = undefined;
    } else {
      push(node, b.start, bound);
      if (node === root || !node.parent) return;
      cursor = b.start;
      node = node.parent;
    }
  }
}

/**
 * Sections in the order found (latest first within each root), one walk per
 * root as Jaeger UI does for traces with several roots.
 *
 * @example
 * const ids = criticalPathIds(buildTree(view.spans)); // span ids on the path
 */
export function criticalPath(tree: SpanTree<TraceSpan>): CriticalSection[] {
  const out: CriticalSection[] = [];
  for (const root of tree.roots) walkBack(root, out);
  return out;
}

/** The span ids with at least one section on the critical path, each once. */
export function criticalPathIds(tree: SpanTree<TraceSpan>): string[] {
  return [...new Set(criticalPath(tree).map((s) => s.spanId))];
}
