/**
 * Trace statistics (Jaeger UI's "Trace Statistics" view): per service or per
 * operation, span count, errors, total / average / longest duration and self
 * time with its share. Click a column heading to sort by it, again to reverse.
 * The maths is src/trace/stats.ts.
 */
import { useMemo, useState } from 'preact/hooks';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDurationNs } from '../../lib/format.ts';
import type { TraceTree } from '../../lib/trace-tree.ts';
import { sortStats, type StatsColumn, type StatsGrouping, traceStats } from '../../../trace/index.ts';

/** Rows drawn at most (a trace of unique span names has one per span); the rest stay in the sort order. */
export const MAX_STATS_ROWS = 1_000;

interface Column {
  col: StatsColumn;
  label: string;
  numeric: boolean;
}

const COLUMNS: Column[] = [
  { col: 'service', label: 'Service', numeric: false },
  { col: 'operation', label: 'Operation', numeric: false },
  { col: 'count', label: 'Spans', numeric: true },
  { col: 'errors', label: 'Errors', numeric: true },
  { col: 'totalNs', label: 'Total', numeric: true },
  { col: 'avgNs', label: 'Average', numeric: true },
  { col: 'maxNs', label: 'Longest', numeric: true },
  { col: 'selfNs', label: 'Self time', numeric: true },
];

export function TraceStatsTable({ tree }: { tree: TraceTree }) {
  const [by, setBy] = useState<StatsGrouping>('operation');
  const [sort, setSort] = useState<{ col: StatsColumn; dir: 'asc' | 'desc' }>({ col: 'selfNs', dir: 'desc' });
  const stats = useMemo(() => traceStats(tree, by), [tree, by]);
  const rows = useMemo(() => sortStats(stats.rows, sort.col, sort.dir), [stats, sort]);
  const columns = COLUMNS.filter((c) => by === 'operation' || c.col !== 'operation');
  const clickSort = (c: Column): void =>
    setSort((s) => (s.col === c.col ? { col: c.col, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { col: c.col, dir: c.numeric ? 'desc' : 'asc' }));
  return (
    <div class="tw-stats">
      <div class="tw-flame-toolbar">
        <span class="tw-segmented" role="group" aria-label="Group by">
          Group by
          <button class={by === 'service' ? 'active' : ''} onClick={() => setBy('service')}>Service</button>
          <button class={by === 'operation' ? 'active' : ''} onClick={() => setBy('operation')}>Operation</button>
        </span>
        <span class="tw-muted">
          {rows.length} {by === 'service' ? 'services' : 'operations'} · self time adds up to {formatDurationNs(stats.selfTotalNs)}
        </span>
      </div>
      <div class="tw-stats-scroll">
        <table class="tw-stats-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  class={c.numeric ? 'num' : ''}
                  aria-sort={sort.col === c.col ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button class="tw-th" onClick={() => clickSort(c)}>
                    {c.label}
                    {sort.col === c.col ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
              <th class="num">Self %</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, MAX_STATS_ROWS).map((r) => {
              const share = stats.selfTotalNs > 0 ? r.selfNs / stats.selfTotalNs : 0;
              return (
                <tr class={r.errors > 0 ? 'has-error' : ''}>
                  <td><ServiceChip name={r.service} /></td>
                  {by === 'operation' && <td class="tw-stats-op">{r.operation}</td>}
                  <td class="num">{r.count}</td>
                  <td class={`num${r.errors > 0 ? ' tw-status-error' : ''}`}>{r.errors}</td>
                  <td class="num">{formatDurationNs(r.totalNs)}</td>
                  <td class="num">{formatDurationNs(r.count > 0 ? r.totalNs / r.count : 0)}</td>
                  <td class="num">{formatDurationNs(r.maxNs)}</td>
                  <td class="num">{formatDurationNs(r.selfNs)}</td>
                  <td class="num tw-stats-share">
                    <span class="tw-stats-bar" style={{ width: `${Math.round(share * 100)}%` }} />
                    <span>{(share * 100).toFixed(1)}%</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length > MAX_STATS_ROWS && (
          <div class="tw-notice" role="status">
            Showing the first {MAX_STATS_ROWS.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} rows in this order.
          </div>
        )}
      </div>
    </div>
  );
}
