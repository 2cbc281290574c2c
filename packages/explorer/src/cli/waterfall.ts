/** Renders a trace view as an indented tree with time bars, for terminals. */
import type { TraceView } from '../api-types.ts';

export function formatNs(ns: bigint): string {
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${(Number(ns) / 1e3).toFixed(1)}µs`;
  if (ns < 1_000_000_000n) return `${(Number(ns) / 1e6).toFixed(2)}ms`;
  return `${(Number(ns) / 1e9).toFixed(2)}s`;
}

export function renderWaterfall(view: TraceView, width = 40): string {
  const spans = view.spans;
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, typeof spans>();
  for (const s of spans) {
    const parent = s.parentSpanId !== null && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const start = spans.reduce((m, s) => (BigInt(s.startNs) < m ? BigInt(s.startNs) : m), spans.length ? BigInt(spans[0]?.startNs ?? 0) : 0n);
  const total = BigInt(view.summary.durationNs) || 1n;
  const critical = new Set(view.criticalPath);
  const lines: string[] = [];
  const services = view.summary.services.map((s) => `${s.name} (${s.spanCount})`).join(', ');
  lines.push(`trace ${view.traceId}  ${formatNs(BigInt(view.summary.durationNs))}  ${view.summary.spanCount} spans  depth ${view.summary.depth}  ${view.summary.errorCount} errors`);
  lines.push(`services: ${services}`);
  const rows: Array<[string, string]> = [];
  // Iterative depth-first walk in start order.
  const stack: Array<{ span: (typeof spans)[number]; depth: number }> = (children.get(null) ?? []).map((span) => ({ span, depth: 0 })).reverse();
  const seen = new Set<string>();
  while (stack.length) {
    const { span, depth } = stack.pop() as { span: (typeof spans)[number]; depth: number };
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    const offset = Number(((BigInt(span.startNs) - start) * BigInt(width)) / total);
    const len = Math.max(1, Number((BigInt(span.durationNs) * BigInt(width)) / total));
    const bar = `${' '.repeat(Math.min(width - 1, Math.max(0, offset)))}${(critical.has(span.spanId) ? '█' : '▒').repeat(Math.min(len, width - Math.max(0, offset)) || 1)}`.padEnd(width);
    const flag = span.status.code === 'ERROR' ? ' ✗' : '';
    const label = `${'  '.repeat(depth)}${span.name} [${span.service}] ${span.kind.toLowerCase()}${flag}`;
    rows.push([label, `|${bar}| ${formatNs(BigInt(span.durationNs)).padStart(9)}  ${span.spanId}`]);
    for (const c of [...(children.get(span.spanId) ?? [])].reverse()) stack.push({ span: c, depth: depth + 1 });
  }
  const labelWidth = Math.min(70, Math.max(...rows.map(([l]) => l.length), 10));
  for (const [label, rest] of rows) lines.push(`${label.length > labelWidth ? `${label.slice(0, labelWidth - 1)}…` : label.padEnd(labelWidth)} ${rest}`);
  return lines.join('\n');
}
