/** Geometry of the waterfall: bar positions and ruler ticks, in percent of the trace. */

export interface Bar {
  leftPct: number;
  widthPct: number;
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
  if (traceDurationNs <= 0) return [{ pct: 0, ns: 0 }];
  const raw = traceDurationNs / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: Tick[] = [];
  for (let ns = 0; ns <= traceDurationNs + step * 1e-9; ns += step) {
    ticks.push({ pct: (ns / traceDurationNs) * 100, ns });
  }
  return ticks;
}
