/**
 * Flame graph layout of one trace: each span is a box at its own time,
 * under its parent. Spans that ran concurrently under the same parent would
 * cover each other on one row, so a sibling whose subtree overlaps an earlier
 * sibling's in time moves down below it (a "lane"), its subtree with it.
 * Linear apart from the lane search, which looks at most MAX_LANES blocks.
 */
import type { SpanTree, TraceSpan, TreeNode } from '../../trace/index.ts';

/** Past this many concurrent siblings, more lanes stop helping: later siblings share the first lane. */
export const MAX_LANES = 64;

export interface FlameBox<S extends TraceSpan = TraceSpan> {
  node: TreeNode<S>;
  row: number;
}

export interface FlameLayout<S extends TraceSpan = TraceSpan> {
  /** Rows the graph needs. */
  rows: number;
  /** Boxes per row, in start order: what the canvas draws and the pointer hits. */
  byRow: FlameBox<S>[][];
  byId: Map<string, FlameBox<S>>;
}

interface Block {
  top: number;
  height: number;
  end: number;
}

/** Places blocks (start-ordered, with heights) into lanes; returns each block's top offset and the total height. */
function stack(items: Array<{ start: number; end: number; height: number }>): { tops: number[]; height: number } {
  const active: Block[] = [];
  const tops: number[] = [];
  let height = 0;
  for (const it of items) {
    for (let i = active.length - 1; i >= 0; i--) if ((active[i] as Block).end <= it.start) active.splice(i, 1);
    let top = 0;
    // Lanes full: this block shares the first lane and stays out of `active`, which keeps
    // every step above bounded by MAX_LANES.
    if (active.length < MAX_LANES) {
      for (let moved = true; moved; ) {
        moved = false;
        for (const a of active) {
          if (a.top < top + it.height && top < a.top + a.height) {
            top = a.top + a.height;
            moved = true;
          }
        }
      }
      active.push({ top, height: it.height, end: it.end });
    }
    tops.push(top);
    height = Math.max(height, top + it.height);
  }
  return { tops, height };
}

/**
 * @example
 * const layout = layoutFlame(tree);
 * layout.byId.get(spanId)?.row; // 0 for the root
 */
export function layoutFlame<S extends TraceSpan>(tree: SpanTree<S>): FlameLayout<S> {
  const order = tree.preorder;
  const index = new Map<TreeNode<S>, number>();
  order.forEach((n, i) => index.set(n, i));
  const height = new Array<number>(order.length).fill(1);
  const end = order.map((n) => n.endNs);
  const offset = new Array<number>(order.length).fill(0);
  // Children before parents: a subtree's height and end are known when its parent is laid out.
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i] as TreeNode<S>;
    if (node.children.length === 0) continue;
    const kids = node.children.map((c) => index.get(c) as number);
    const placed = stack(kids.map((k) => ({ start: (order[k] as TreeNode<S>).startNs, end: end[k] as number, height: height[k] as number })));
    kids.forEach((k, j) => {
      offset[k] = 1 + (placed.tops[j] as number);
      end[i] = Math.max(end[i] as number, end[k] as number);
    });
    height[i] = 1 + placed.height;
  }
  const roots = tree.roots.map((r) => index.get(r) as number);
  const placedRoots = stack(roots.map((k) => ({ start: (order[k] as TreeNode<S>).startNs, end: end[k] as number, height: height[k] as number })));
  roots.forEach((k, j) => (offset[k] = placedRoots.tops[j] as number));

  const rowOf = new Array<number>(order.length).fill(0);
  const byRow: FlameBox<S>[][] = [];
  const byId = new Map<string, FlameBox<S>>();
  for (let i = 0; i < order.length; i++) {
    const node = order[i] as TreeNode<S>;
    const row = (node.parent ? (rowOf[index.get(node.parent) as number] as number) : 0) + (offset[i] as number);
    rowOf[i] = row;
    const box = { node, row };
    (byRow[row] ??= []).push(box);
    if (!byId.has(node.span.spanId)) byId.set(node.span.spanId, box);
  }
  for (const r of byRow) r?.sort((x, y) => x.node.startNs - y.node.startNs);
  return { rows: placedRoots.height, byRow, byId };
}

/**
 * The box under a point: `ns` from the trace start on row `row`. `slackNs`
 * widens tiny boxes so a one-pixel span can still be clicked. The last box
 * drawn (the latest start) wins where boxes overlap.
 */
export function boxAt<S extends TraceSpan>(layout: FlameLayout<S>, row: number, ns: number, slackNs = 0): FlameBox<S> | undefined {
  const boxes = layout.byRow[row];
  if (!boxes) return undefined;
  let hit: FlameBox<S> | undefined;
  for (const b of boxes) {
    if (b.node.startNs - slackNs > ns) break;
    if (ns <= b.node.endNs + slackNs) hit = b;
  }
  return hit;
}
