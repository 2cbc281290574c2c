/**
 * Compares two traces by structure and time, as Jaeger UI's trace comparison
 * does: spans are matched by their path of `service` + `name` from the root,
 * so "the second `db query` under `api load` under `web GET /`" in one trace
 * meets its namesake in the other even though every span id differs. Spans
 * with the same path merge into one node holding each side's count, total
 * duration and errors. Linear in the two traces' spans (plus sorting siblings).
 */
import type { SpanTree, TraceSpan, TreeNode } from './types.ts';

/**
 * `added`: only in B; `missing`: only in A; `slower` / `faster`: in both,
 * B's total time differs from A's by more than the thresholds; `same` otherwise.
 */
export type DiffStatus = 'added' | 'missing' | 'slower' | 'faster' | 'same';

export interface DiffSide {
  count: number;
  totalNs: number;
  errors: number;
  /** One span of this side at this path (the first met), to link to it. */
  firstSpanId: string | null;
}

export interface DiffNode {
  service: string;
  name: string;
  depth: number;
  a: DiffSide;
  b: DiffSide;
  status: DiffStatus;
  /** Earliest start at this path on either side, ns from that trace's start: the sibling order. */
  startNs: number;
  children: DiffNode[];
}

export interface TraceDiff {
  roots: DiffNode[];
  /** Every node, depth first, children in start order. */
  preorder: DiffNode[];
  counts: Record<DiffStatus, number>;
}

export interface DiffOptions {
  /** Relative change below which a path counts as `same`; default 0.1 (10 %). */
  minRatio?: number;
  /** Absolute change below which a path counts as `same`, as a share of the longer trace; default 0.01. */
  minShareOfTrace?: number;
}

const emptySide = (): DiffSide => ({ count: 0, totalNs: 0, errors: 0, firstSpanId: null });

function addSide<S extends TraceSpan>(
  tree: SpanTree<S>, side: 'a' | 'b', top: Map<string, DiffNode>, childIndex: Map<DiffNode, Map<string, DiffNode>>,
): void {
  const placed = new Map<TreeNode<S>, DiffNode>();
  for (const node of tree.preorder) {
    const parent = node.parent ? placed.get(node.parent) : undefined;
    let siblings = top;
    if (parent) {
      siblings = childIndex.get(parent) ?? new Map<string, DiffNode>();
      childIndex.set(parent, siblings);
    }
    const key = `${node.span.service}\u0000${node.span.name}`;
    let d = siblings.get(key);
    if (!d) {
      d = { service: node.span.service, name: node.span.name, depth: node.depth, a: emptySide(), b: emptySide(), status: 'same', startNs: node.startNs, children: [] };
      siblings.set(key, d);
      if (parent) parent.children.push(d);
    }
    const s = d[side];
    s.count++;
    s.totalNs += node.durationNs;
    if (node.isError) s.errors++;
    s.firstSpanId ??= node.span.spanId;
    d.startNs = Math.min(d.startNs, node.startNs);
    placed.set(node, d);
  }
}

function statusOf(d: DiffNode, minRatio: number, minDeltaNs: number): DiffStatus {
  if (d.a.count === 0) return 'added';
  if (d.b.count === 0) return 'missing';
  const delta = d.b.totalNs - d.a.totalNs;
  if (Math.abs(delta) < minDeltaNs || Math.abs(delta) <= minRatio * Math.min(d.a.totalNs, d.b.totalNs)) return 'same';
  return delta > 0 ? 'slower' : 'faster';
}

/**
 * @example
 * const diff = diffTraces(buildTree(before.spans), buildTree(after.spans));
 * diff.counts.slower; // paths that took longer in `after`
 */
export function diffTraces<A extends TraceSpan, B extends TraceSpan>(a: SpanTree<A>, b: SpanTree<B>, opts: DiffOptions = {}): TraceDiff {
  const top = new Map<string, DiffNode>();
  const childIndex = new Map<DiffNode, Map<string, DiffNode>>();
  addSide(a, 'a', top, childIndex);
  addSide(b, 'b', top, childIndex);
  const minDeltaNs = (opts.minShareOfTrace ?? 0.01) * Math.max(a.durationNs, b.durationNs);
  const counts: Record<DiffStatus, number> = { added: 0, missing: 0, slower: 0, faster: 0, same: 0 };
  const byStart = (x: DiffNode, y: DiffNode): number => x.startNs - y.startNs;
  const roots = [...top.values()].sort(byStart);
  const preorder: DiffNode[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const d = stack.pop() as DiffNode;
    d.status = statusOf(d, opts.minRatio ?? 0.1, minDeltaNs);
    counts[d.status]++;
    preorder.push(d);
    d.children.sort(byStart);
    for (let i = d.children.length - 1; i >= 0; i--) stack.push(d.children[i] as DiffNode);
  }
  return { roots, preorder, counts };
}
