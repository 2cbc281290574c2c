/**
 * Flame graph of one trace (a canvas, cheap at 100,000 spans): each span is a
 * box at its own time under its parent (layout in lib/flame.ts), coloured by
 * service or by its share of self time. Click a box to select the span (its
 * detail opens, the waterfall keeps the selection) and zoom to its time;
 * hover for its duration and self time.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { serviceColor } from '../../lib/colors.ts';
import { boxAt, type FlameBox, layoutFlame } from '../../lib/flame.ts';
import { formatDurationNs } from '../../lib/format.ts';
import { rangeTicks } from '../../lib/timeline.ts';
import { selfTimeNs, type SpanNode, type TraceTree } from '../../lib/trace-tree.ts';
import { FlameTooltip } from './flame-tooltip.tsx';

const ROW_H = 20;
type ColorBy = 'service' | 'self';

export interface FlameGraphProps {
  tree: TraceTree;
  selectedId: string | undefined;
  onSelect: (spanId: string) => void;
}

/** Light yellow for spans that mostly waited on children, deep red for spans that did the work themselves. */
function heat(share: number): string {
  return `hsl(${Math.round(50 - 50 * share)}, 90%, ${Math.round(82 - 30 * share)}%)`;
}

interface DrawArgs {
  canvas: HTMLCanvasElement;
  boxes: FlameBox<SpanNode['span']>[][];
  width: number;
  height: number;
  firstRow: number;
  offsetY: number;
  view: [number, number];
  /** Self time / duration per span, computed once per trace when colouring by self time. */
  selfShare: Map<SpanNode, number> | undefined;
  selectedId: string | undefined;
}

function draw(a: DrawArgs): void {
  const ctx = a.canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  a.canvas.width = Math.round(a.width * dpr);
  a.canvas.height = Math.round(a.height * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, a.width, a.height);
  const css = getComputedStyle(a.canvas);
  const [v0, v1] = a.view;
  const scale = a.width / Math.max(1, v1 - v0);
  ctx.font = `11px ${css.getPropertyValue('--sans') || 'sans-serif'}`;
  ctx.textBaseline = 'middle';
  const lastRow = Math.min(a.boxes.length, a.firstRow + Math.ceil(a.height / ROW_H) + 1);
  for (let r = a.firstRow; r < lastRow; r++) {
    const y = r * ROW_H - a.offsetY;
    let lastPx = -1;
    for (const { node } of a.boxes[r] ?? []) {
      if (node.endNs < v0 || node.startNs > v1) continue;
      const x = (node.startNs - v0) * scale;
      const w = (node.endNs - node.startNs) * scale;
      // Sub-pixel spans: one mark per pixel is all the eye can see.
      if (w < 1 && Math.floor(x) === lastPx) continue;
      lastPx = Math.floor(x);
      ctx.fillStyle = a.selfShare ? heat(a.selfShare.get(node) ?? 1) : serviceColor(node.span.service);
      ctx.fillRect(x, y + 1, Math.max(1, w - 1), ROW_H - 2);
      if (node.isError) {
        ctx.strokeStyle = css.getPropertyValue('--error') || '#dc2626';
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x + 0.75, y + 1.75, Math.max(1, w - 2.5), ROW_H - 3.5);
      }
      if (node.span.spanId === a.selectedId) {
        ctx.strokeStyle = css.getPropertyValue('--text') || '#000';
        ctx.lineWidth = 2;
        ctx.strokeRect(Math.max(0, x) + 1, y + 2, Math.max(2, Math.min(w, a.width) - 3), ROW_H - 4);
      }
      if (w > 40) {
        const left = Math.max(x, 0) + 4;
        ctx.fillStyle = '#111318';
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, y, Math.min(x + w, a.width) - left - 3, ROW_H);
        ctx.clip();
        ctx.fillText(`${node.span.name}  ${formatDurationNs(node.durationNs)}`, left, y + ROW_H / 2);
        ctx.restore();
      }
    }
  }
}

export function FlameGraph({ tree, selectedId, onSelect }: FlameGraphProps) {
  const layout = useMemo(() => layoutFlame(tree), [tree]);
  const [zoom, setZoom] = useState<SpanNode | undefined>();
  const [colorBy, setColorBy] = useState<ColorBy>('service');
  const [size, setSize] = useState({ width: 800, height: 400 });
  const [scrollTop, setScrollTop] = useState(0);
  const [hover, setHover] = useState<{ node: SpanNode; x: number; y: number } | undefined>();
  const scrollRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const selfShare = useMemo(
    () => (colorBy === 'self' ? new Map(tree.preorder.map((n) => [n, n.durationNs > 0 ? selfTimeNs(n) / n.durationNs : 1])) : undefined),
    [tree, colorBy],
  );
  const view: [number, number] = zoom ? [zoom.startNs, Math.max(zoom.endNs, zoom.startNs + 1)] : [0, Math.max(1, tree.durationNs)];

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = (): void => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    if (!canvasRef.current) return;
    const height = Math.min(size.height, layout.rows * ROW_H);
    draw({
      canvas: canvasRef.current, boxes: layout.byRow, width: size.width, height,
      firstRow: Math.floor(scrollTop / ROW_H), offsetY: scrollTop, view, selfShare, selectedId,
    });
  }, [layout, size, scrollTop, view[0], view[1], selfShare, selectedId]);

  const pick = (e: MouseEvent): SpanNode | undefined => {
    const rect = canvasRef.current?.getBoundingClientRect();
    if (!rect) return undefined;
    const row = Math.floor((e.clientY - rect.top + scrollTop) / ROW_H);
    const nsPerPx = (view[1] - view[0]) / Math.max(1, size.width);
    return boxAt(layout, row, view[0] + (e.clientX - rect.left) * nsPerPx, nsPerPx)?.node;
  };
  const ticks = rangeTicks(0, view[1] - view[0], 6);
  return (
    <div class="tw-flame" aria-label="Flame graph">
      <div class="tw-flame-toolbar">
        <span class="tw-segmented" role="group" aria-label="Colour by">
          Colour by
          <button class={colorBy === 'service' ? 'active' : ''} onClick={() => setColorBy('service')}>Service</button>
          <button class={colorBy === 'self' ? 'active' : ''} onClick={() => setColorBy('self')} title="Red: the span did its own work; yellow: it waited on its children">Self time</button>
        </span>
        {zoom ? (
          <span class="tw-flame-zoom" role="status">
            <span>
              Zoomed to <strong>{zoom.span.service}: {zoom.span.name}</strong> ({formatDurationNs(zoom.durationNs)})
            </span>
            <button class="tw-small" onClick={() => setZoom(undefined)}>Reset zoom</button>
          </span>
        ) : (
          <span class="tw-muted">Click a span to zoom to it and open its detail. {layout.rows} rows.</span>
        )}
      </div>
      <div class="tw-flame-ruler">
        {ticks.map((t) => (
          <span class="tw-tick" style={{ left: `${t.pct}%` }}>
            <span class={t.pct > 95 ? 'tw-tick-label end' : 'tw-tick-label'}>{formatDurationNs(view[0] + t.ns)}</span>
          </span>
        ))}
      </div>
      <div class="tw-flame-scroll" ref={scrollRef} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: `${layout.rows * ROW_H}px`, position: 'relative' }}>
          <canvas
            ref={canvasRef}
            class="tw-flame-canvas"
            style={{ top: `${scrollTop}px`, width: `${size.width}px`, height: `${Math.min(size.height, layout.rows * ROW_H)}px` }}
            onMouseMove={(e) => {
              const node = pick(e);
              setHover(node ? { node, x: e.offsetX, y: e.offsetY + scrollTop } : undefined);
            }}
            onMouseLeave={() => setHover(undefined)}
            onClick={(e) => {
              const node = pick(e);
              if (!node) return;
              setZoom(node.durationNs > 0 ? node : undefined);
              onSelect(node.span.spanId);
            }}
          />
        </div>
        {hover && <FlameTooltip node={hover.node} x={hover.x} y={hover.y} traceNs={tree.durationNs} width={size.width} />}
      </div>
    </div>
  );
}
