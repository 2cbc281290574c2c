import type { ApiTraceSummary } from '../../../api-types.ts';
import { formatDurationMs, formatTimestamp, type TimeZoneMode } from '../../lib/format.ts';
import { traceHref } from '../../lib/routes.ts';
import { navigate } from '../../router.tsx';

const H = 96;
const PAD_L = 56;
const PAD_R = 10;
const PAD_Y = 10;

/** Duration over start time for the current page of results: outliers stand out at a glance. */
export function ResultsScatter({ traces, tz }: { traces: ApiTraceSummary[]; tz: TimeZoneMode }) {
  if (traces.length < 2) return null;
  const t0 = Math.min(...traces.map((t) => t.startMs));
  const t1 = Math.max(...traces.map((t) => t.startMs));
  const dMax = Math.max(...traces.map((t) => t.durationMs), 1e-6);
  const spanMax = Math.max(...traces.map((t) => t.spanCount), 1);
  const x = (ms: number): number => (t1 === t0 ? 50 : ((ms - t0) / (t1 - t0)) * 100);
  // Log scale: one slow outlier must not flatten every other trace onto the axis.
  const y = (d: number): number => PAD_Y + (1 - Math.log1p(d) / Math.log1p(dMax)) * (H - 2 * PAD_Y);
  return (
    <div class="tw-scatter" aria-label="Durations over time">
      <div class="tw-scatter-axis">
        <span>{formatDurationMs(dMax)}</span>
        <span>0</span>
      </div>
      <svg class="tw-scatter-plot" height={H} style={{ marginLeft: `${PAD_L}px`, width: `calc(100% - ${PAD_L + PAD_R}px)` }}>
        <line x1="0" x2="100%" y1={H - PAD_Y} y2={H - PAD_Y} class="tw-scatter-base" />
        {traces.map((t) => (
          <circle
            cx={`${x(t.startMs)}%`}
            cy={y(t.durationMs)}
            r={3 + 5 * Math.sqrt(t.spanCount / spanMax)}
            class={t.errorCount > 0 ? 'is-error' : ''}
            onClick={() => navigate(traceHref(t.traceId))}
          >
            <title>{`${t.rootService}: ${t.rootName}\n${formatDurationMs(t.durationMs)} · ${t.spanCount} spans\n${formatTimestamp(t.startMs, tz)}`}</title>
          </circle>
        ))}
      </svg>
    </div>
  );
}
