/**
 * The waterfall's view of a trace tree: which rows show under collapsed
 * spans, ancestors to open, the first error, self time. The tree itself comes
 * from the shared trace model (src/trace), the same code the server and CLI use.
 */
import type { ApiSpan } from '../../api-types.ts';
import { buildTree, selfTimeNs, type SpanTree, type TreeNode } from '../../trace/index.ts';

export type SpanNode = TreeNode<ApiSpan>;
export type TraceTree = SpanTree<ApiSpan>;

/**
 * One tree per spans array: loading a trace builds it for the critical path
 * (compact-trace.ts) and the page asks again to draw it; a 100,000-span tree
 * takes a few hundred ms to build.
 */
const trees = new WeakMap<readonly ApiSpan[], TraceTree>();
export function buildTraceTree(spans: readonly ApiSpan[]): TraceTree {
  let tree = trees.get(spans);
  if (!tree) {
    tree = buildTree(spans);
    trees.set(spans, tree);
  }
  return tree;
}

/**
 * Indentation stops growing at this depth: a trace 1,900 levels deep would
 * otherwise push every name 26,000 px right (and paint that much indent guide
 * per row). Deeper rows show their depth as a number instead.
 */
export const MAX_INDENT_LEVELS = 12;

/** Rows of the waterfall: pre-order, skipping everything under a collapsed span. */
export function visibleRows(tree: TraceTree, collapsed: ReadonlySet<string>): SpanNode[] {
  if (collapsed.size === 0) return tree.preorder;
  const rows: SpanNode[] = [];
  const order = tree.preorder;
  for (let i = 0; i < order.length; i++) {
    const node = order[i]!;
    rows.push(node);
    if (collapsed.has(node.span.spanId)) i += node.descendants;
  }
  return rows;
}

/** Ids of the spans above `spanId`, so that expanding them reveals it. */
export function ancestorIds(tree: TraceTree, spanId: string): string[] {
  const out: string[] = [];
  let node = tree.byId.get(spanId)?.parent ?? null;
  while (node) {
    out.push(node.span.spanId);
    node = node.parent;
  }
  return out;
}

/** First error span in start-time order, the one "jump to first error" goes to. */
export function firstError(tree: TraceTree): SpanNode | undefined {
  let best: SpanNode | undefined;
  for (const node of tree.preorder) {
    if (node.isError && (!best || node.startNs < best.startNs)) best = node;
  }
  return best;
}

/** Collapse everything below `level` (0 = roots only): the "noise" control of big traces. */
export function collapseBelow(tree: TraceTree, level: number): Set<string> {
  const out = new Set<string>();
  for (const node of tree.preorder) {
    if (node.depth >= level && node.children.length > 0) out.add(node.span.spanId);
  }
  return out;
}

/** Self time lives with the trace model (src/trace/self-time.ts); re-exported for the waterfall's callers. */
export { selfTimeNs };
