import type { TraceView } from '../../../api-types.ts';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDurationNs, formatTimestamp, nsToMs, type TimeZoneMode } from '../../lib/format.ts';
import type { TraceTree } from '../../lib/trace-tree.ts';

export function TraceHeader({ trace, tree, tz, live }: { trace: TraceView; tree: TraceTree; tz: TimeZoneMode; live: boolean }) {
  const root = tree.roots[0]?.span;
  const { summary } = trace;
  const durationNs = Number(summary.durationNs) || tree.durationNs;
  return (
    <header class="tw-trace-header">
      <div class="tw-trace-title">
        {root && <ServiceChip name={root.service} />}
        <h1>{root?.name ?? 'Trace'}</h1>
        <code class="tw-trace-id" title="Trace id">{trace.traceId}</code>
        {live && (
          <span class="tw-live" title="Spans are still arriving: this view refreshes by itself">
            ● live
          </span>
        )}
      </div>
      <dl class="tw-trace-stats">
        <div><dt>Started</dt><dd>{formatTimestamp(nsToMs(tree.startEpochNs), tz)}</dd></div>
        <div><dt>Duration</dt><dd>{formatDurationNs(durationNs)}</dd></div>
        <div><dt>Spans</dt><dd>{summary.spanCount}</dd></div>
        <div><dt>Depth</dt><dd>{summary.depth}</dd></div>
        <div>
          <dt>Errors</dt>
          <dd class={summary.errorCount > 0 ? 'tw-status-error' : ''}>{summary.errorCount}</dd>
        </div>
        <div class="tw-trace-services">
          <dt>Services</dt>
          <dd>
            {[...summary.services]
              .sort((a, b) => b.spanCount - a.spanCount)
              .map((s) => (
                <ServiceChip name={s.name} count={s.spanCount} />
              ))}
          </dd>
        </div>
      </dl>
    </header>
  );
}
