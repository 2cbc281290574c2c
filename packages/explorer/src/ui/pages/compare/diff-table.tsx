/**
 * The merged tree of two traces (src/trace/diff.ts), one row per path of
 * service + span name: how many spans and how long on each side, the change,
 * and whether the path was added, is missing, got slower or faster.
 */
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDurationNs } from '../../lib/format.ts';
import { traceHref } from '../../lib/routes.ts';
import { Link } from '../../router.tsx';
import type { DiffNode, DiffSide, DiffStatus } from '../../../trace/index.ts';

/** Rows drawn at most: past this the page would hold a DOM node per span of two big traces. */
export const MAX_DIFF_ROWS = 5_000;
/** Indentation stops growing here; the depth is still shown on the row. */
const MAX_INDENT = 24;

export const STATUS_LABELS: Record<DiffStatus, string> = { added: 'added', missing: 'missing', slower: 'slower', faster: 'faster', same: 'same' };

function Side({ side, traceId }: { side: DiffSide; traceId: string }) {
  if (side.count === 0) return <td class="num tw-muted">—</td>;
  const text = `${side.count > 1 ? `${side.count}× ` : ''}${formatDurationNs(side.totalNs)}`;
  return (
    <td class={`num${side.errors > 0 ? ' tw-status-error' : ''}`} title={side.errors > 0 ? `${side.errors} with status ERROR` : undefined}>
      {side.firstSpanId ? <Link href={traceHref(traceId, side.firstSpanId)}>{text}</Link> : text}
    </td>
  );
}

function change(d: DiffNode): string {
  if (d.a.count === 0 || d.b.count === 0) return '';
  const delta = d.b.totalNs - d.a.totalNs;
  const pct = d.a.totalNs > 0 ? ` (${delta >= 0 ? '+' : ''}${Math.round((delta / d.a.totalNs) * 100)}%)` : '';
  return `${delta >= 0 ? '+' : '−'}${formatDurationNs(Math.abs(delta))}${pct}`;
}

export function DiffTable({ rows, a, b }: { rows: DiffNode[]; a: string; b: string }) {
  const shown = rows.slice(0, MAX_DIFF_ROWS);
  return (
    <div class="tw-stats-scroll">
      <table class="tw-stats-table tw-diff-table">
        <thead>
          <tr>
            <th><span class="tw-th">Service · operation</span></th>
            <th><span class="tw-th">Change</span></th>
            <th class="num"><span class="tw-th">A</span></th>
            <th class="num"><span class="tw-th">B</span></th>
            <th class="num"><span class="tw-th">B − A</span></th>
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => (
            <tr class={`tw-diff-${d.status}`} data-status={d.status}>
              <td style={{ paddingLeft: `${10 + Math.min(d.depth, MAX_INDENT) * 16}px` }}>
                <div class="tw-diff-name">
                  {d.depth > MAX_INDENT && <span class="tw-depth" title="Depth">{d.depth}</span>}
                  <ServiceChip name={d.service} /> <span class="tw-stats-op">{d.name}</span>
                </div>
              </td>
              <td><span class={`tw-diff-badge tw-diff-badge-${d.status}`}>{STATUS_LABELS[d.status]}</span></td>
              <Side side={d.a} traceId={a} />
              <Side side={d.b} traceId={b} />
              <td class="num">{change(d)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > shown.length && (
        <div class="tw-notice" role="status">
          Showing the first {MAX_DIFF_ROWS.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} paths: tick "Only changes" to narrow them.
        </div>
      )}
    </div>
  );
}
