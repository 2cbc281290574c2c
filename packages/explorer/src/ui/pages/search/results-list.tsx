import type { ApiTraceSummary } from '../../../api-types.ts';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatAgo, formatDurationMs, formatTimestamp, type TimeZoneMode } from '../../lib/format.ts';
import { traceHref } from '../../lib/routes.ts';
import { Link } from '../../router.tsx';

export interface ResultsListProps {
  traces: ApiTraceSummary[];
  tz: TimeZoneMode;
  /** Trace ids ticked for comparison. */
  picked?: readonly string[];
  onPick?: (traceId: string) => void;
  /** Highlighted by the keyboard (j/k). */
  activeId?: string | undefined;
  /** Arrived with the last live update. */
  fresh?: ReadonlySet<string>;
}

export function ResultsList({ traces, tz, picked = [], onPick, activeId, fresh }: ResultsListProps) {
  const longest = Math.max(1e-9, ...traces.map((t) => t.durationMs));
  const now = Date.now();
  return (
    <ol class="tw-results">
      {traces.map((t) => (
        <li
          class={`tw-result${t.errorCount > 0 ? ' has-error' : ''}${t.traceId === activeId ? ' is-active' : ''}${fresh?.has(t.traceId) ? ' is-fresh' : ''}`}
          data-trace-id={t.traceId}
          aria-current={t.traceId === activeId ? 'true' : undefined}
        >
          {onPick && (
            <label class="tw-result-pick" title="Select two traces to compare them">
              <input type="checkbox" aria-label={`Select ${t.traceId} to compare`} checked={picked.includes(t.traceId)} onChange={() => onPick(t.traceId)} />
            </label>
          )}
          <Link href={traceHref(t.traceId)} class="tw-result-link">
            <div class="tw-result-head">
              <span class="tw-result-title">
                <ServiceChip name={t.rootService} />
                <span class="tw-result-root">{t.rootName}</span>
                {t.errorCount > 0 && (
                  <span class="tw-badge tw-badge-error" title={`${t.errorCount} spans with status ERROR`}>
                    {t.errorCount} error{t.errorCount === 1 ? '' : 's'}
                  </span>
                )}
              </span>
              <span class="tw-result-duration">{formatDurationMs(t.durationMs)}</span>
            </div>
            <div class="tw-result-bar" aria-hidden="true">
              <span style={{ width: `${Math.max(0.5, (t.durationMs / longest) * 100)}%` }} />
            </div>
            <div class="tw-result-meta">
              <span class="tw-result-services">
                {[...t.services]
                  .sort((a, b) => b.spanCount - a.spanCount)
                  .map((s) => (
                    <ServiceChip name={s.name} count={s.spanCount} />
                  ))}
              </span>
              <span class="tw-result-facts">
                <span>{t.spanCount} spans</span>
                <code class="tw-muted">{t.traceId.slice(0, 12)}</code>
                <span title={formatTimestamp(t.startMs, tz)}>
                  {formatTimestamp(t.startMs, tz).slice(11, 23)} · {formatAgo(t.startMs, now)}
                </span>
              </span>
            </div>
          </Link>
        </li>
      ))}
    </ol>
  );
}
