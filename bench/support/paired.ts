/**
 * Paired comparisons over interleaved rounds (overhead-rounds.ts): round r
 * of a case ran right beside round r of the baseline, so a drift of this
 * shared machine (a neighbour's burst, the VM's speed) hits both. One value
 * per round and case; the estimate is the mean of the per-round differences
 * (or of the log ratios), with a Student-t 95% confidence interval. With
 * this machine's noise the interval, not the estimate, says whether a
 * target is resolved (docs/performance.md, section 2).
 */

export interface Interval {
  /** Mean of the per-round differences, or geometric mean of the ratios. */
  estimate: number;
  low: number;
  high: number;
  /** Rounds that had a value on both sides. */
  rounds: number;
}

/** Two-sided 95% Student-t critical values for 1..30 degrees of freedom; 1.96 beyond. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101,
  2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function t95(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.POSITIVE_INFINITY;
  return T95[degreesOfFreedom - 1] ?? 1.96;
}

function meanInterval(xs: readonly number[]): Interval {
  const n = xs.length;
  if (n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN, rounds: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { estimate: mean, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY, rounds: 1 };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const half = t95(n - 1) * Math.sqrt(variance / n);
  return { estimate: mean, low: mean - half, high: mean + half, rounds: n };
}

/** Rounds where both sides have a finite value, as pairs. */
function pairs(candidate: readonly number[], baseline: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < Math.min(candidate.length, baseline.length); i++) {
    const c = candidate[i] as number;
    const b = baseline[i] as number;
    if (Number.isFinite(c) && Number.isFinite(b)) out.push([c, b]);
  }
  return out;
}

/** candidate − baseline per round (e.g. added p99 ms). */
export function pairedDifference(candidate: readonly number[], baseline: readonly number[]): Interval {
  return meanInterval(pairs(candidate, baseline).map(([c, b]) => c - b));
}

/**
 * candidate / baseline per round, averaged in log space (so x2 and x0.5 cancel). A round where one
 * side did nothing (0 orders) counts as a ratio of 1e-6 or 1e6, so a case that stalled fails its
 * budget instead of dropping out; a round where both did nothing says nothing and is left out.
 */
export function pairedRatio(candidate: readonly number[], baseline: readonly number[]): Interval {
  const logs = pairs(candidate, baseline)
    .filter(([c, b]) => c > 0 || b > 0)
    .map(([c, b]) => Math.log(Math.min(1e6, Math.max(1e-6, b > 0 ? c / b : 1e6))));
  const i = meanInterval(logs);
  return { estimate: Math.exp(i.estimate), low: Math.exp(i.low), high: Math.exp(i.high), rounds: i.rounds };
}
