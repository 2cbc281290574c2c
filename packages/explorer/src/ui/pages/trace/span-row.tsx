import { memo } from 'preact/compat';
import { serviceColor } from '../../lib/colors.ts';
import { formatDurationNs } from '../../lib/format.ts';
import { viewBar } from '../../lib/timeline.ts';
import { MAX_INDENT_LEVELS, type SpanNode } from '../../lib/trace-tree.ts';
import type { DetachedReason } from '../../../trace/index.ts';

export const ROW_HEIGHT = 26;
const INDENT = 14;

/** Why a span is shown as a root although it names a parent (src/trace/tree.ts). */
const ORPHAN_TITLE: Record<DetachedReason, string> = {
  'missing-parent': 'Parent span not received (yet)',
  'self-parent': 'This span names itself as its parent',
  cycle: 'Its parent chain loops back to it: shown as a root where the loop was cut',
};

export const KIND_LABEL: Record<string, string> = {
  SERVER: 'server',
  CLIENT: 'client',
  PRODUCER: 'producer',
  CONSUMER: 'consumer',
  INTERNAL: 'internal',
  UNSPECIFIED: 'span',
};

export interface SpanRowProps {
  node: SpanNode;
  index: number;
  viewStartNs: number;
  viewEndNs: number;
  collapsed: boolean;
  selected: boolean;
  onCriticalPath: boolean;
  showCriticalPath: boolean;
  match: boolean;
  onToggle: (spanId: string) => void;
  onSelect: (spanId: string) => void;
  /** Go to a span, in this trace or another (span links). */
  onGoto: (traceId: string, spanId: string) => void;
}

export function LinkIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round">
      <path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.8 2.8 0 014 4L11 8.5M9 11.5l-1.2 1.2a2.8 2.8 0 01-4-4L5 7.5" />
    </svg>
  );
}

function SpanRowImpl(p: SpanRowProps) {
  const { node } = p;
  const { span } = node;
  const color = serviceColor(span.service);
  const bar = viewBar(node.startNs, node.endNs, p.viewStartNs, p.viewEndNs);
  const classes = ['tw-row'];
  if (p.selected) classes.push('selected');
  if (node.isError) classes.push('is-error');
  if (p.match) classes.push('is-match');
  if (p.showCriticalPath && p.onCriticalPath) classes.push('on-cp');
  const externalLinks = span.links.length;
  const indent = Math.min(node.depth, MAX_INDENT_LEVELS);
  return (
    <div
      class={classes.join(' ')}
      style={{ top: `${p.index * ROW_HEIGHT}px` }}
      role="row"
      aria-selected={p.selected}
      data-span-id={span.spanId}
      data-parent-id={node.parent?.span.spanId ?? ''}
      data-depth={node.depth}
      onClick={() => p.onSelect(span.spanId)}
    >
      <div class="tw-row-name" style={{ paddingLeft: `${6 + indent * INDENT}px` }}>
        {indent > 0 && <span class="tw-indent-guide" style={{ width: `${indent * INDENT}px` }} />}
        {node.depth > MAX_INDENT_LEVELS && (
          <span class="tw-depth" title={`Depth ${node.depth.toLocaleString('en-US')}: indentation stops at ${MAX_INDENT_LEVELS} levels`}>
            {node.depth.toLocaleString('en-US')}
          </span>
        )}
        {node.children.length > 0 ? (
          <button
            class="tw-twisty"
            aria-label={p.collapsed ? 'Expand' : 'Collapse'}
            aria-expanded={!p.collapsed}
            onClick={(e) => {
              e.stopPropagation();
              p.onToggle(span.spanId);
            }}
          >
            {p.collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span class="tw-twisty-spacer" />
        )}
        <span class="tw-svc-mark" style={{ background: color }} />
        <span class="tw-row-service">{span.service}</span>
        <span class="tw-row-op" title={span.name}>
          {span.name}
        </span>
        {p.collapsed && <span class="tw-hidden-count">+{node.descendants}</span>}
        {node.isError && (
          <span class="tw-err-icon" title={span.status.message || 'Status ERROR'}>
            !
          </span>
        )}
        {externalLinks > 0 && (
          <button
            class="tw-link-icon"
            data-follow-link={span.links[0]!.spanId}
            title={`Go to the linked span${externalLinks > 1 ? ` (1 of ${externalLinks}; all are in the details)` : ''}`}
            onClick={(e) => {
              e.stopPropagation();
              p.onGoto(span.links[0]!.traceId, span.links[0]!.spanId);
            }}
          >
            <LinkIcon />
            {externalLinks > 1 ? externalLinks : ''}
          </button>
        )}
        {node.orphan && (
          <span class="tw-orphan" data-orphan={node.orphan} title={ORPHAN_TITLE[node.orphan]}>
            {node.orphan === 'missing-parent' ? '⋯' : '↻'}
          </span>
        )}
      </div>
      <div class="tw-row-timeline">
        {bar && (
          <>
            <div
              class={`tw-bar kind-${span.kind.toLowerCase()}`}
              style={{ left: `${bar.leftPct}%`, width: `${bar.widthPct}%`, background: color }}
            />
            <span class="tw-bar-label" style={{ left: `${bar.leftPct + bar.widthPct}%` }}>
              <span class={`tw-kind tw-kind-${span.kind.toLowerCase()}`}>{KIND_LABEL[span.kind] ?? span.kind}</span>
              {formatDurationNs(node.durationNs)}
            </span>
          </>
        )}
        {!bar && (
          <span class="tw-bar-offscreen" style={node.endNs < p.viewStartNs ? { left: 0 } : { right: 0 }}>
            {node.endNs < p.viewStartNs ? '◂ ' : ''}
            {formatDurationNs(node.durationNs)}
            {node.endNs < p.viewStartNs ? '' : ' ▸'}
          </span>
        )}
      </div>
    </div>
  );
}

export const SpanRow = memo(SpanRowImpl);
