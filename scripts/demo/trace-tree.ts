/**
 * A trace as an indented tree for the terminal: service, span, duration,
 * status. Works on a small span model that both the explorer's Jaeger API
 * and the demo's own OTLP receiver are mapped to.
 */
export interface TreeSpan {
  spanId: string;
  parentSpanId: string | undefined;
  service: string;
  name: string;
  kind: string;
  startUs: number;
  durationUs: number;
  error: boolean;
}

function formatDuration(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  if (us >= 1_000) return `${(us / 1_000).toFixed(1)} ms`;
  return `${Math.round(us)} µs`;
}

export function renderTrace(spans: TreeSpan[], color = false): string {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string | undefined, TreeSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && byId.has(s.parentSpanId) ? s.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startUs - b.startUs);

  const rows: Array<{ label: string; span: TreeSpan }> = [];
  const walk = (span: TreeSpan, prefix: string, last: boolean, root: boolean): void => {
    const branch = root ? '' : last ? '└─ ' : '├─ ';
    rows.push({ label: `${prefix}${branch}${span.service}  ${span.name}${span.kind && span.kind !== 'INTERNAL' ? ` [${span.kind.toLowerCase()}]` : ''}`, span });
    const next = root ? prefix : `${prefix}${last ? '   ' : '│  '}`;
    const kids = children.get(span.spanId) ?? [];
    kids.forEach((k, i) => walk(k, next, i === kids.length - 1, false));
  };
  const roots = children.get(undefined) ?? [];
  roots.forEach((r) => walk(r, '', true, true));

  const width = Math.min(110, Math.max(...rows.map((r) => r.label.length), 10));
  const red = (s: string): string => (color ? `\u001b[31m${s}\u001b[0m` : s);
  const dim = (s: string): string => (color ? `\u001b[2m${s}\u001b[0m` : s);
  return rows
    .map(({ label, span }) => {
      const status = span.error ? red('ERROR') : dim('ok');
      return `${label.padEnd(width)}  ${formatDuration(span.durationUs).padStart(9)}  ${status}`;
    })
    .join('\n');
}

export function summary(spans: TreeSpan[]): string {
  const services = new Set(spans.map((s) => s.service));
  const start = Math.min(...spans.map((s) => s.startUs));
  const end = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  const errors = spans.filter((s) => s.error).length;
  return `${spans.length} spans, ${services.size} services, ${formatDuration(end - start)} end to end${errors ? `, ${errors} with errors` : ''}`;
}
