/**
 * Layered layout of the service map: callers left, callees right. Each
 * service's column is the longest call chain reaching it from a service
 * nobody calls; edges that close a cycle are ignored for layering only.
 */
export interface MapEdgeIn {
  from: string;
  to: string;
}

export interface PlacedNode {
  service: string;
  layer: number;
  x: number;
  y: number;
}

export interface MapLayout {
  nodes: Map<string, PlacedNode>;
  width: number;
  height: number;
}

export const NODE_W = 190;
export const NODE_H = 56;
const COL_GAP = 170;
const ROW_GAP = 36;
const PAD = 30;

export function layoutServiceMap(services: readonly string[], edges: readonly MapEdgeIn[]): MapLayout {
  const names = [...new Set([...services, ...edges.flatMap((e) => [e.from, e.to])])].sort();
  const out = new Map<string, string[]>();
  for (const n of names) out.set(n, []);
  for (const e of edges) if (e.from !== e.to) out.get(e.from)!.push(e.to);

  // Depth-first search marks back edges (cycles) so layering terminates.
  const state = new Map<string, 'open' | 'done'>();
  const forward = new Map<string, string[]>();
  for (const n of names) forward.set(n, []);
  const visit = (start: string): void => {
    const stack: { n: string; i: number }[] = [{ n: start, i: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = out.get(top.n)![top.i++];
      if (next === undefined) {
        state.set(top.n, 'done');
        stack.pop();
        continue;
      }
      if (state.get(next) === 'open') continue; // back edge
      forward.get(top.n)!.push(next);
      if (!state.has(next)) {
        state.set(next, 'open');
        stack.push({ n: next, i: 0 });
      }
    }
  };
  const incoming = new Set(edges.filter((e) => e.from !== e.to).map((e) => e.to));
  for (const n of names) if (!incoming.has(n) && !state.has(n)) visit(n);
  for (const n of names) if (!state.has(n)) visit(n);

  // Longest path layering over the acyclic forward edges (Kahn order).
  const indeg = new Map<string, number>(names.map((n) => [n, 0]));
  for (const targets of forward.values()) for (const t of targets) indeg.set(t, indeg.get(t)! + 1);
  const layer = new Map<string, number>(names.map((n) => [n, 0]));
  const queue = names.filter((n) => indeg.get(n) === 0);
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const t of forward.get(n)!) {
      layer.set(t, Math.max(layer.get(t)!, layer.get(n)! + 1));
      indeg.set(t, indeg.get(t)! - 1);
      if (indeg.get(t) === 0) queue.push(t);
    }
  }

  const columns: string[][] = [];
  for (const n of names) (columns[layer.get(n)!] ??= []).push(n);
  const tallest = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const nodes = new Map<string, PlacedNode>();
  columns.forEach((col, li) => {
    if (!col) return;
    const colHeight = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colHeight) / 2;
    col.forEach((service, i) => {
      nodes.set(service, { service, layer: li, x: PAD + li * (NODE_W + COL_GAP), y: top + i * (NODE_H + ROW_GAP) });
    });
  });
  const width = PAD * 2 + Math.max(1, columns.length) * NODE_W + Math.max(0, columns.length - 1) * COL_GAP;
  return { nodes, width, height };
}
