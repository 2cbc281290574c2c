/**
 * Self time: how long a span ran outside its children. The span detail, the
 * flame graph and the statistics table all read it from here.
 */
import type { TraceSpan, TreeNode } from './types.ts';

/**
 * The span's duration minus the union of its children's intervals, clipped
 * to the span. Concurrent children are not counted twice, so self time is
 * never negative (Jaeger UI computes it the same way).
 *
 * @example
 * selfTimeNs(tree.byId.get(spanId)!); // 3_000_000 for a 10 ms span with 7 ms of children
 */
export function selfTimeNs<S extends TraceSpan>(node: TreeNode<S>): number {
  const intervals = node.children
    .map((c) => [Math.max(c.startNs, node.startNs), Math.min(c.endNs, node.endNs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of intervals) {
    if (a > curEnd) {
      if (curEnd > curStart) covered += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else {
      curEnd = Math.max(curEnd, b);
    }
  }
  if (curEnd > curStart) covered += curEnd - curStart;
  return Math.max(0, node.durationNs - covered);
}
