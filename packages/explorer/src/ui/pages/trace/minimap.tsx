/**
 * Overview of the whole trace above the waterfall: every span as a thin line
 * (drawn on a canvas, so 10,000 spans cost one paint), the zoomed range
 * unshaded. Drag across it to zoom the waterfall to that time range.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { serviceColor } from '../../lib/colors.ts';
import type { TraceTree } from '../../lib/trace-tree.ts';

const HEIGHT = 44;

export interface MinimapProps {
  tree: TraceTree;
  viewStartNs: number;
  viewEndNs: number;
  onZoom: (startNs: number, endNs: number) => void;
}

export function Minimap({ tree, viewStartNs, viewEndNs, onZoom }: MinimapProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>();
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ro = new ResizeObserver(() => setWidth(canvas.clientWidth));
    ro.observe(canvas);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(HEIGHT * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const rows = tree.preorder;
    const total = Math.max(1, tree.durationNs);
    const rowH = Math.max(0.5, Math.min(4, (HEIGHT - 4) / rows.length));
    const scaleY = rows.length * rowH > HEIGHT - 4 ? (HEIGHT - 4) / rows.length : rowH;
    rows.forEach((node, i) => {
      ctx.fillStyle = node.isError ? '#dc2626' : serviceColor(node.span.service);
      const x = (node.startNs / total) * width;
      const w = Math.max(1, (node.durationNs / total) * width);
      ctx.fillRect(x, 2 + i * scaleY, w, Math.max(1, scaleY - (scaleY > 2 ? 1 : 0)));
    });
  }, [tree, width]);

  const fraction = (clientX: number): number => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
  };
  const start = (e: MouseEvent): void => {
    e.preventDefault();
    const from = fraction(e.clientX);
    setDrag({ from, to: from });
    const move = (ev: MouseEvent): void => setDrag({ from, to: fraction(ev.clientX) });
    const up = (ev: MouseEvent): void => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      setDrag(undefined);
      const to = fraction(ev.clientX);
      if (Math.abs(to - from) * (canvasRef.current?.clientWidth ?? 0) < 4) return;
      onZoom(Math.min(from, to) * tree.durationNs, Math.max(from, to) * tree.durationNs);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };

  const total = Math.max(1, tree.durationNs);
  const zoomed = viewStartNs > 0 || viewEndNs < tree.durationNs;
  return (
    <div class="tw-minimap" onMouseDown={start} title="Drag to zoom into a time range">
      <canvas ref={canvasRef} style={{ height: `${HEIGHT}px` }} />
      {zoomed && (
        <>
          <div class="tw-minimap-shade" style={{ left: 0, width: `${(viewStartNs / total) * 100}%` }} />
          <div class="tw-minimap-shade" style={{ left: `${(viewEndNs / total) * 100}%`, right: 0 }} />
        </>
      )}
      {drag && (
        <div
          class="tw-minimap-drag"
          style={{ left: `${Math.min(drag.from, drag.to) * 100}%`, width: `${Math.abs(drag.to - drag.from) * 100}%` }}
        />
      )}
    </div>
  );
}
