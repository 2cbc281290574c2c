/**
 * Builds the parent -> children tree of one trace. Linear apart from sorting
 * siblings (n log n), and iterative throughout: a chain 200,000 spans deep
 * neither overflows the stack nor goes quadratic.
 *
 * Bad parent ids are shown, never fatal: a span whose parent is missing, is
 * itself, or lies on a loop (A -> B -> A) becomes a root marked with the
 * reason (`orphan`), so every span appears exactly once.
 */
import { relativeNs } from './ns-time.ts';
import type { DetachedReason, SpanTree, TraceSpan, TreeNode } from './types.ts';

function toBig(ns: string): bigint {
  try {
    return BigInt(ns);
  } catch {
    return 0n;
  }
}

const byStart = (a: TreeNode<TraceSpan>, b: TreeNode<TraceSpan>): number =>
  a.startNs - b.startNs || (a.span.name < b.span.name ? -1 : a.span.name > b.span.name ? 1 : 0) || (a.span.spanId < b.span.spanId ? -1 : 1);

/** Start and end of every span in ns from the trace's first start, and that start; malformed times count as 0. */
function spanTimes(spans: readonly TraceSpan[]): { starts: ArrayLike<number>; ends: ArrayLike<number>; startEpochNs: bigint } {
  const n = spans.length;
  const fast = relativeNs([...spans.map((s) => s.startNs), ...spans.map((s) => s.endNs)]);
  if (fast) {
    let first = Infinity;
    for (let i = 0; i < n; i++) first = Math.min(first, fast.offsets[i] as number);
    if (n === 0) first = 0;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = (fast.offsets[i] as number) - first;
      ends[i] = (fast.offsets[n + i] as number) - first;
    }
    return { starts, ends, startEpochNs: fast.minNs + BigInt(first) };
  }
  // Odd input (a malformed or far-off time): exact BigInt arithmetic, as slow as it is sure.
  const big = spans.map((s) => [toBig(s.startNs), toBig(s.endNs)] as const);
  let min: bigint | undefined;
  for (const [start] of big) if (min === undefined || start < min) min = start;
  const epoch = min ?? 0n;
  return { starts: big.map(([a]) => Number(a - epoch)), ends: big.map(([, b]) => Number(b - epoch)), startEpochNs: epoch };
}

function makeNodes<S extends TraceSpan>(spans: readonly S[]): { byId: Map<string, TreeNode<S>>; startEpochNs: bigint; durationNs: number } {
  const { starts, ends, startEpochNs } = spanTimes(spans);
  let maxEnd = -Infinity;
  const byId = new Map<string, TreeNode<S>>();
  spans.forEach((span, i) => {
    if ((ends[i] as number) > maxEnd) maxEnd = ends[i] as number;
    if (byId.has(span.spanId)) return; // a duplicated id: the first copy wins
    const startNs = starts[i] as number;
    const endNs = Math.max(startNs, ends[i] as number);
    byId.set(span.spanId, {
      span, startNs, endNs, durationNs: endNs - startNs, depth: 0, parent: null, children: [],
      orphan: null, descendants: 0, isError: span.status.code === 'ERROR',
    });
  });
  const durationNs = spans.length === 0 || maxEnd < 0 ? 0 : maxEnd;
  return { byId, startEpochNs, durationNs };
}

function link<S extends TraceSpan>(byId: Map<string, TreeNode<S>>): TreeNode<S>[] {
  const roots: TreeNode<S>[] = [];
  for (const node of byId.values()) {
    const parentId = node.span.parentSpanId || null;
    const parent = parentId === null ? undefined : byId.get(parentId);
    let reason: DetachedReason | null = null;
    if (parentId !== null && parent === undefined) reason = 'missing-parent';
    else if (parent === node) reason = 'self-parent';
    if (parent === undefined || parent === node) {
      node.orphan = reason;
      roots.push(node);
    } else {
      node.parent = parent;
      parent.children.push(node);
    }
  }
  for (const node of byId.values()) if (node.children.length > 1) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** Depth-first from `root`, appending to `preorder`; marks what it reaches. */
function walk<S extends TraceSpan>(root: TreeNode<S>, preorder: TreeNode<S>[], seen: Set<TreeNode<S>>): void {
  root.depth = 0;
  const stack: TreeNode<S>[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode<S>;
    seen.add(node);
    preorder.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i] as TreeNode<S>;
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }
}

/**
 * Spans no root reaches hang on a parent loop. Walk up from one until the walk
 * meets itself: that node is on the loop. Cut the loop at its earliest span,
 * which becomes a `cycle` root, and walk its tree. Each span is stepped on at
 * most once, so this stays linear.
 */
function detachCycles<S extends TraceSpan>(byId: Map<string, TreeNode<S>>, roots: TreeNode<S>[], preorder: TreeNode<S>[], seen: Set<TreeNode<S>>): void {
  const stamp = new Map<TreeNode<S>, number>();
  let walkNo = 0;
  for (const start of byId.values()) {
    if (seen.has(start)) continue;
    walkNo++;
    let x = start;
    while (!seen.has(x) && stamp.get(x) !== walkNo) {
      stamp.set(x, walkNo);
      x = x.parent as TreeNode<S>; // unreached spans always have a parent
    }
    if (seen.has(x)) continue;
    let cut = x;
    for (let y = x.parent as TreeNode<S>; y !== x; y = y.parent as TreeNode<S>) if (byStart(y, cut) < 0) cut = y;
    const parent = cut.parent as TreeNode<S>;
    parent.children.splice(parent.children.indexOf(cut), 1);
    cut.parent = null;
    cut.orphan = 'cycle';
    roots.push(cut);
    walk(cut, preorder, seen);
  }
}

/**
 * @example
 * const tree = buildTree(view.spans);
 * tree.roots[0]?.children.map((n) => n.span.name);
 */
export function buildTree<S extends TraceSpan>(spans: readonly S[]): SpanTree<S> {
  const { byId, startEpochNs, durationNs } = makeNodes(spans);
  const roots = link(byId);
  const preorder: TreeNode<S>[] = [];
  const seen = new Set<TreeNode<S>>();
  for (const root of roots) walk(root, preorder, seen);
  if (seen.size < byId.size) detachCycles(byId, roots, preorder, seen);
  let depth = 0;
  for (let i = preorder.length - 1; i >= 0; i--) {
    const node = preorder[i] as TreeNode<S>;
    if (node.depth + 1 > depth) depth = node.depth + 1;
    if (node.parent) node.parent.descendants += node.descendants + 1;
  }
  return { roots, byId, startEpochNs, durationNs, depth, preorder };
}
