/**
 * The virtualized waterfall: only the rows in view (plus a few) are in the
 * DOM, so a 10,000-span trace scrolls like a 50-span one.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Connection } from '../../lib/connections.ts';
import { formatDurationNs } from '../../lib/format.ts';
import { rangeTicks, viewBar } from '../../lib/timeline.ts';
import type { SpanNode } from '../../lib/trace-tree.ts';
import { scrollToRow, visibleWindow } from '../../lib/virtual-window.ts';
import { ROW_HEIGHT, SpanRow } from './span-row.tsx';
import { Minimap } from './minimap.tsx';
import type { TraceTree } from '../../lib/trace-tree.ts';
import { formatDurationNs as fmt } from '../../lib/format.ts';

export interface WaterfallProps {
  tree: TraceTree;
  onZoom: (startNs: number, endNs: number) => void;
  rows: SpanNode[];
  /** Visible time range, ns from the trace start (the whole trace unless zoomed). */
  viewStartNs: number;
  viewEndNs: number;
  collapsed: ReadonlySet<string>;
  selectedId: string | undefined;
  criticalPath: ReadonlySet<string>;
  showCriticalPath: boolean;
  matches: ReadonlySet<string>;
  connections: Connection[];
  /** Bumped to scroll the selected row into view (after a jump or a deep link). */
  scrollNonce: number;
  onToggle: (spanId: string) => void;
  onSelect: (spanId: string) => void;
  onGoto: (traceId: string, spanId: string) => void;
}

const NAME_WIDTH_KEY = 'tracewire.nameWidth';

function Ruler({ startNs, endNs, nameWidth, scrollbar }: { startNs: number; endNs: number; nameWidth: number; scrollbar: number }) {
  const ticks = rangeTicks(startNs, endNs, 6);
  return (
    <div class="tw-ruler" style={{ gridTemplateColumns: `${nameWidth}px 1fr`, paddingRight: `${scrollbar}px` }}>
      <div class="tw-ruler-name">Service · operation</div>
      <div class="tw-ruler-scale">
        {ticks.map((t) => (
          <span class="tw-tick" style={{ left: `${t.pct}%` }}>
            <span class={t.pct > 95 ? 'tw-tick-label end' : 'tw-tick-label'}>{formatDurationNs(t.ns)}</span>
          </span>
        ))}
      </div>
    </div>
  );
}

export function Waterfall(p: WaterfallProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [size, setSize] = useState({ width: 1000, height: 600, scrollbar: 0 });
  const [nameWidth, setNameWidth] = useState(() => Number(localStorage.getItem(NAME_WIDTH_KEY)) || 380);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = (): void => setSize({ width: el.clientWidth, height: el.clientHeight, scrollbar: el.offsetWidth - el.clientWidth });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el || !p.selectedId) return;
    const index = p.rows.findIndex((r) => r.span.spanId === p.selectedId);
    if (index < 0) return;
    const top = scrollToRow(index, el.scrollTop, el.clientHeight, ROW_HEIGHT);
    if (top !== undefined) el.scrollTop = top;
  }, [p.scrollNonce]);

  const zoomed = p.viewStartNs > 0 || p.viewEndNs < p.tree.durationNs;
  const win = visibleWindow(scrollTop, size.height, ROW_HEIGHT, p.rows.length);
  const rowIndex = useMemo(() => new Map(p.rows.map((r, i) => [r.span.spanId, i])), [p.rows]);

  // Must match the timeline cell's CSS margins (trace.css: .tw-row-timeline).
  const TL_LEFT = 8;
  const TL_RIGHT = 130;
  const timelineWidth = Math.max(50, size.width - nameWidth - TL_LEFT - TL_RIGHT);
  const arrows = p.connections.flatMap((c) => {
    const a = rowIndex.get(c.fromId);
    const b = rowIndex.get(c.toId);
    if (a === undefined || b === undefined) return [];
    if (Math.max(a, b) < win.start || Math.min(a, b) >= win.end) return [];
    const from = p.rows[a]!;
    const to = p.rows[b]!;
    const fromBar = viewBar(from.startNs, from.endNs, p.viewStartNs, p.viewEndNs);
    const toBar = viewBar(to.startNs, to.endNs, p.viewStartNs, p.viewEndNs);
    if (!fromBar || !toBar) return [];
    const x1 = nameWidth + TL_LEFT + (fromBar.leftPct / 100) * timelineWidth + 2;
    const x2 = nameWidth + TL_LEFT + (toBar.leftPct / 100) * timelineWidth;
    const y1 = a * ROW_HEIGHT + ROW_HEIGHT / 2;
    const y2 = b * ROW_HEIGHT + ROW_HEIGHT / 2;
    const bend = Math.max(14, Math.min(60, Math.abs(y2 - y1) / 3));
    const d = `M ${x1} ${y1} C ${x1 - bend} ${y1 + (y2 - y1) / 2}, ${x2 - bend} ${y2}, ${x2 - 3} ${y2}`;
    const other = p.selectedId === c.toId ? c.fromId : c.toId;
    return [
      <g class={`tw-conn tw-conn-${c.type}`} data-from={c.fromId} data-to={c.toId} onClick={() => p.onSelect(other)}>
        <title>{c.type === 'hop' ? 'Message hop: producer → consumer' : 'Span link'}</title>
        <path class="tw-conn-hit" d={d} />
        <path class="tw-conn-line" d={d} marker-end={`url(#tw-arrow-${c.type})`} />
      </g>,
    ];
  });

  const startDrag = (e: MouseEvent): void => {
    e.preventDefault();
    const x0 = e.clientX;
    const w0 = nameWidth;
    const move = (ev: MouseEvent): void => setNameWidth(Math.min(900, Math.max(180, w0 + ev.clientX - x0)));
    const up = (ev: MouseEvent): void => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      localStorage.setItem(NAME_WIDTH_KEY, String(Math.min(900, Math.max(180, w0 + ev.clientX - x0))));
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };

  const rendered: preact.JSX.Element[] = [];
  for (let i = win.start; i < win.end; i++) {
    const node = p.rows[i]!;
    const id = node.span.spanId;
    rendered.push(
      <SpanRow
        key={id}
        node={node}
        index={i}
        viewStartNs={p.viewStartNs}
        viewEndNs={p.viewEndNs}
        collapsed={p.collapsed.has(id)}
        selected={p.selectedId === id}
        onCriticalPath={p.criticalPath.has(id)}
        showCriticalPath={p.showCriticalPath}
        match={p.matches.has(id)}
        onToggle={p.onToggle}
        onSelect={p.onSelect}
        onGoto={p.onGoto}
      />,
    );
  }

  return (
    <div class="tw-waterfall" style={{ '--name-w': `${nameWidth}px` }}>
      <div class="tw-overview" style={{ gridTemplateColumns: `${nameWidth}px 1fr`, paddingRight: `${size.scrollbar}px` }}>
        <div class="tw-overview-label">
          {zoomed ? (
            <>
              <span>
                {fmt(p.viewStartNs)} – {fmt(p.viewEndNs)}
              </span>
              <button class="tw-small" onClick={() => p.onZoom(0, p.tree.durationNs)}>
                Reset zoom
              </button>
            </>
          ) : (
            <span class="tw-muted">Overview · drag to zoom</span>
          )}
        </div>
        <div class="tw-overview-map">
          <Minimap tree={p.tree} viewStartNs={p.viewStartNs} viewEndNs={p.viewEndNs} onZoom={p.onZoom} />
        </div>
      </div>
      <Ruler startNs={p.viewStartNs} endNs={p.viewEndNs} nameWidth={nameWidth} scrollbar={size.scrollbar} />
      <div class="tw-splitter" style={{ left: `${nameWidth - 3}px` }} onMouseDown={startDrag} title="Drag to resize" />
      <div class="tw-wf-scroll" ref={scrollRef} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} role="grid" aria-rowcount={p.rows.length}>
        <div class="tw-wf-inner" style={{ height: `${p.rows.length * ROW_HEIGHT}px` }}>
          <div class="tw-gridlines" style={{ left: `${nameWidth}px` }}>
            {rangeTicks(p.viewStartNs, p.viewEndNs, 6).map((t) => (
              <span style={{ left: `${t.pct}%` }} />
            ))}
          </div>
          {rendered}
          {arrows.length > 0 && (
            <svg class="tw-conn-layer" width={size.width} height={p.rows.length * ROW_HEIGHT}>
              <defs>
                {(['hop', 'link'] as const).map((t) => (
                  <marker id={`tw-arrow-${t}`} viewBox="0 0 8 8" refX="6" refY="4" markerWidth="7" markerHeight="7" orient="auto">
                    <path d="M0,0 L8,4 L0,8 z" class={`tw-arrowhead-${t}`} />
                  </marker>
                ))}
              </defs>
              {arrows}
            </svg>
          )}
        </div>
      </div>
    </div>
  );
}
