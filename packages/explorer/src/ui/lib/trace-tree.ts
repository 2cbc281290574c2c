/**
 * Builds the span tree of one trace and flattens it into waterfall rows.
 * Pure functions over plain data: no DOM, so they run under node --test.
 * Times are kept relative to the trace start as plain numbers (ns), because
 * epoch nanoseconds do not fit a double but trace-relative offsets do.
 */
import type { ApiSpan } from '../../api-types.ts';

export interface SpanNode {
  span: ApiSpan;
  /** Offset of the span's start from the trace start, ns. */
  startNs: number;
  /** Offset of the span's end from the trace start, ns. */
  endNs: number;
  durationNs: number;
  depth: number;
  parent: SpanNode | null;
  children: SpanNode[];
  /** The parent id names a span that is not (yet) in the trace. */
  orphan: boolean;
  /** Number of spans below this one, all levels. */
  descendants: number;
  isError: boolean;
}

export interface TraceTree {
  roots: SpanNode[];
  byId: Map<string, SpanNode>;
  /** Absolute start of the trace, epoch ns. */
  startEpochNs: bigint;
  durationNs: number;
  /** Levels of nesting; a trace of one span has depth 1. */
  depth: number;
  /** Spans in tree pre-order (the fully expanded waterfall). */
  preorder: SpanNode[];
}

function toBig(ns: string): bigint {
  try {
    return BigInt(ns);
  } catch {
    return 0n;
  }
}

const byStart = (a: SpanNode, b: SpanNode): number => a.startNs - b.startNs || a.span.name.localeCompare(b.span.name);

export function buildTraceTree(spans: readonly ApiSpan[]): TraceTree {
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (const s of spans) {
    const start = toBig(s.startNs);
    const end = toBig(s.endNs);
    if (min === undefined || start < min) min = start;
    if (max === undefined || end > max) max = end;
  }
  const startEpochNs = min ?? 0n;
  const byId = new Map<string, SpanNode>();
  for (const span of spans) {
    if (byId.has(span.spanId)) continue; // duplicates: first copy wins
    const startNs = Number(toBig(span.startNs) - startEpochNs);
    const endNs = Math.max(startNs, Number(toBig(span.endNs) - startEpochNs));
    byId.set(span.spanId, {
      span,
      startNs,
      endNs,
      durationNs: endNs - startNs,
      depth: 0,
      parent: null,
      children: [],
      orphan: false,
      descendants: 0,
      isError: span.status.code === 'ERROR',
    });
  }
  const roots: SpanNode[] = [];
  for (const node of byId.values()) {
    const parentId = node.span.parentSpanId;
    const parent = parentId ? byId.get(parentId) : undefined;
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      node.orphan = Boolean(parentId) && parent !== node;
      roots.push(node);
    }
  }
  const preorder: SpanNode[] = [];
  const seen = new Set<SpanNode>();
  let depth = 0;
  const walk = (root: SpanNode): void => {
    // Iterative: a 10k-deep chain must not overflow the stack.
    const stack: SpanNode[] = [root];
    root.depth = 0;
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      preorder.push(node);
      depth = Math.max(depth, node.depth + 1);
      node.children.sort(byStart);
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i]!;
        child.depth = node.depth + 1;
        stack.push(child);
      }
    }
  };
  roots.sort(byStart);
  for (const root of roots) walk(root);
  // Spans caught in a parent cycle are reachable from no root: show them as roots.
  for (const node of byId.values()) {
    if (!seen.has(node)) {
      node.parent?.children.splice(node.parent.children.indexOf(node), 1);
      node.parent = null;
      node.orphan = true;
      roots.push(node);
      walk(node);
    }
  }
  for (let i = preorder.length - 1; i >= 0; i--) {
    const node = preorder[i]!;
    if (node.parent) node.parent.descendants += node.descendants + 1;
  }
  return {
    roots,
    byId,
    startEpochNs,
    durationNs: max === undefined ? 0 : Number(max - startEpochNs),
    depth,
    preorder,
  };
}

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

/**
 * Time a span spent outside its children ("self time"): its duration minus
 * the union of its children's intervals, clipped to the span. Concurrent
 * children are not counted twice.
 */
export function selfTimeNs(node: SpanNode): number {
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
