/** What the pointer is on in the flame graph: service, name, duration, self time, status. */
import { formatDurationNs } from '../../lib/format.ts';
import { selfTimeNs, type SpanNode } from '../../lib/trace-tree.ts';

export function FlameTooltip({ node, x, y, traceNs, width }: { node: SpanNode; x: number; y: number; traceNs: number; width: number }) {
  const self = selfTimeNs(node);
  const pct = traceNs > 0 ? Math.round((node.durationNs / traceNs) * 1000) / 10 : 100;
  const left = Math.min(x + 12, Math.max(0, width - 280));
  return (
    <div class="tw-flame-tip" role="tooltip" style={{ left: `${left}px`, top: `${y + 16}px` }}>
      <div class="tw-flame-tip-title">
        <span class="tw-muted">{node.span.service}</span> {node.span.name}
      </div>
      <div>
        {formatDurationNs(node.durationNs)} ({pct}% of the trace) · self {formatDurationNs(self)}
      </div>
      {node.isError && <div class="tw-status-error">Status ERROR{node.span.status.message ? `: ${node.span.status.message}` : ''}</div>}
      {node.descendants > 0 && <div class="tw-muted">{node.descendants} spans below</div>}
    </div>
  );
}
