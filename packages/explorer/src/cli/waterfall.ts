/**
 * A trace view as a tree for terminals: box-drawing guides, service, span
 * name and kind, a time bar (█ on the critical path), duration and status.
 * The CLI (`tracewire trace`) and the demo print traces with this one
 * renderer, over the shared trace model (src/trace).
 */
import type { ApiSpan, TraceView } from '../api-types.ts';
import { buildTree, formatDurationNs, type TreeNode } from '../trace/index.ts';

export interface WaterfallOptions {
  /** Characters of the time bar; 0 leaves bars out. Default 40. */
  width?: number;
  /** ANSI colours (errors red, ok dim). */
  color?: boolean;
}

/** Guides stop growing here, so a 100,000-deep chain prints in linear time and width. */
const MAX_GUIDE_DEPTH = 24;
const MAX_LABEL = 90;

function header(view: TraceView): string[] {
  const s = view.summary;
  const lines = [
    `trace ${view.traceId}  ${formatDurationNs(BigInt(s.durationNs))}  ${s.spanCount} spans  ${s.services.length} services  depth ${s.depth}  ${s.errorCount} errors`,
    `services: ${s.services.map((x) => `${x.name} (${x.spanCount})`).join(', ')}`,
  ];
  if (view.truncated) lines.push(`truncated: showing the first ${view.truncated.servedSpans} of ${view.truncated.spanCount} spans`);
  return lines;
}

/** Tree-guide prefixes in pre-order, one string per node, each built from its parent's in O(1) steps. */
function labels(nodes: readonly TreeNode<ApiSpan>[]): string[] {
  const below = new Map<TreeNode<ApiSpan>, string>(); // prefix for a node's children
  return nodes.map((node) => {
    const parent = node.parent;
    const last = parent ? parent.children[parent.children.length - 1] === node : true;
    let guide = '';
    if (parent) {
      const base = below.get(parent) ?? '';
      guide = node.depth > MAX_GUIDE_DEPTH ? `${base}·${node.depth}· ` : `${base}${last ? '└─ ' : '├─ '}`;
      below.set(node, node.depth >= MAX_GUIDE_DEPTH ? base : `${base}${last ? '   ' : '│  '}`);
    } else below.set(node, '');
    const { span } = node;
    const kind = span.kind === 'INTERNAL' || span.kind === 'UNSPECIFIED' ? '' : ` [${span.kind.toLowerCase()}]`;
    return `${guide}${span.service}  ${span.name}${kind}${node.orphan ? ` (${node.orphan})` : ''}`;
  });
}

function bar(node: TreeNode<ApiSpan>, totalNs: number, width: number, critical: boolean): string {
  const total = Math.max(1, totalNs);
  const offset = Math.min(width - 1, Math.max(0, Math.floor((node.startNs * width) / total)));
  const len = Math.max(1, Math.min(width - offset, Math.floor((node.durationNs * width) / total)));
  return `|${' '.repeat(offset)}${(critical ? '█' : '▒').repeat(len)}${' '.repeat(width - offset - len)}|`;
}

/**
 * @example
 * process.stdout.write(`${renderWaterfall(await (await fetch(`${api}/api/tw/traces/${id}`)).json())}\n`);
 */
export function renderWaterfall(view: TraceView, options: WaterfallOptions = {}): string {
  const width = options.width ?? 40;
  const paint = (code: number, s: string): string => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const tree = buildTree(view.spans);
  const critical = new Set(view.criticalPath);
  const names = labels(tree.preorder);
  const labelWidth = Math.min(MAX_LABEL, names.reduce((w, l) => Math.max(w, l.length), 10));
  const rows = tree.preorder.map((node, i) => {
    const label = names[i] as string;
    const fitted = label.length > labelWidth ? `${label.slice(0, labelWidth - 1)}…` : label.padEnd(labelWidth);
    const time = width > 0 ? `  ${bar(node, tree.durationNs, width, critical.has(node.span.spanId))}` : '';
    const status = node.isError ? paint(31, 'ERROR') : paint(2, 'ok');
    return `${fitted}${time}  ${formatDurationNs(node.durationNs).padStart(9)}  ${status}`;
  });
  return [...header(view), '', ...rows].join('\n');
}
