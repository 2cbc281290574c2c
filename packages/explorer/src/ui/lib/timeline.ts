/** Geometry of the waterfall: bar positions and ruler ticks, in percent of the trace. */

export interface Bar {
  leftPct: number;
  widthPct: number;
}

/** A span's bar within the visible time range [viewStart, viewEnd] (ns from the trace start). */
export function viewBar(startNs: number, endNs: number, viewStartNs: number, viewEndNs: number): Bar | undefined {
  if (endNs < viewStartNs || startNs > viewEndNs) return undefined;
  return barGeometry(startNs - viewStartNs, endNs - viewStartNs, viewEndNs - viewStartNs);
}

export function barGeometry(startNs: number, endNs: number, traceDurationNs: number): Bar {
  if (traceDurationNs <= 0) return { leftPct: 0, widthPct: 100 };
  const left = clamp((startNs / traceDurationNs) * 100);
  const right = clamp((endNs / traceDurationNs) * 100);
  return { leftPct: left, widthPct: Math.max(0, right - left) };
}

function clamp(pct: number): number {
  return Math.min(100, Math.max(0, pct));
}

export interface Tick {
  pct: number;
  ns: number;
}

/**
 * Ruler ticks at a "nice" step (1, 2 or 5 x 10^n ns) so labels read as round
 * numbers, about `target` of them across the trace.
 */
export function rulerTicks(traceDurationNs: number, target = 5): Tick[] {
  return rangeTicks(0, traceDurationNs, target);
}

/** Ticks for a zoomed range: `ns` are offsets from the trace start, `pct` positions within the range. */
export function rangeTicks(startNs: number, endNs: number, target = 5): Tick[] {
  const span = endNs - startNs;
  if (span <= 0) return [{ pct: 0, ns: startNs }];
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: Tick[] = [];
  for (let i = Math.ceil(startNs / step - 1e-9) + 0; i * step <= endNs + step * 1e-9; i++) {
    const ns = i * step + 0; // + 0 turns -0 into 0
    ticks.push({ pct: ((ns - startNs) / span) * 100, ns });
  }
  return ticks;
}
