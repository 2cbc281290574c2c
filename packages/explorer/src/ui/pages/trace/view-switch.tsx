import './views.css';
import type { TraceViewMode } from '../../lib/routes.ts';

/** The trace page's views: the waterfall, the flame graph and the statistics table (kept in the URL, lib/routes.ts). */
export type { TraceViewMode };

const LABELS: Record<TraceViewMode, string> = { waterfall: 'Waterfall', flame: 'Flame graph', stats: 'Statistics' };

export function ViewSwitch({ view, onChange }: { view: TraceViewMode; onChange: (v: TraceViewMode) => void }) {
  return (
    <span class="tw-segmented tw-view-switch" role="tablist" aria-label="Trace view">
      {(Object.keys(LABELS) as TraceViewMode[]).map((v) => (
        <button role="tab" aria-selected={view === v} class={view === v ? 'active' : ''} onClick={() => onChange(v)}>
          {LABELS[v]}
        </button>
      ))}
    </span>
  );
}
