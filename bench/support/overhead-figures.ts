/**
 * Figures of the service-overhead bench from its tallies: throughput and
 * service CPU per order against the in-run `off` baseline (targets: < 10%
 * each), service CPU per exported span, and latency added at moderate load
 * (target: < 1 ms at p99).
 */
import { type Figure, percentile } from '../lib.ts';
import { type Tally, cpuPerOrder, throughput } from './overhead-rounds.ts';
import { type Interval, pairedDifference, pairedRatio } from './paired.ts';

const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`;
const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/** "95% CI <low> to <high> over 8 paired rounds", the ends written by the caller; none from one round. */
function ciText(i: Interval, low: string, high: string, of = ''): string {
  return i.rounds < 2 ? 'one paired round: no interval' : `95% CI${of} ${low} to ${high} over ${i.rounds} paired rounds`;
}

/**
 * A target is met only when its 95% interval lies within the budget: on this
 * machine one run's estimate moves by several points, so an estimate inside
 * the budget with an interval across it is "not resolved", not met.
 */
function verdict(withinAtWorst: boolean, withinAtEstimate: boolean, rounds: number): string {
  if (rounds === 0) return 'no paired rounds: no verdict';
  if (withinAtWorst) return 'within the budget at 95%';
  return withinAtEstimate ? 'estimate within the budget, interval across it: not resolved' : 'over the budget';
}

/** Throughput of `name` against `off`; a target when `target` is set. */
export function throughputFigure(setup: string, name: string, t: Tally, off: Tally, target: boolean): Figure {
  const ratio = throughput(t) / throughput(off);
  const paired = pairedRatio(
    t.rounds.map((r) => r.throughput),
    off.rounds.map((r) => r.throughput),
  );
  const cost = (1 - paired.estimate) * 100;
  const costPct = (r: number): string => `${((1 - r) * 100).toFixed(1)}%`;
  const interval = ciText(paired, costPct(paired.high), costPct(paired.low), ' of the cost');
  const note = `${cost >= 0 ? `costs ${cost.toFixed(1)}%` : `${(-cost).toFixed(1)}% faster than off`} throughput (${interval})`;
  return {
    case: `throughput, ${name} (${setup})`,
    value: throughput(t),
    unit: 'orders/s',
    baseline: throughput(off),
    ratio,
    ...(target
      ? { target: 'cost < 10% throughput', met: paired.low > 0.9, note: `${note}; ${verdict(paired.low > 0.9, paired.estimate > 0.9, paired.rounds)}` }
      : { note }),
  };
}

/** Service CPU per order of `name` against `off`; a target when `target` is set. */
export function cpuFigure(setup: string, name: string, t: Tally, off: Tally, target: boolean, peer: string): Figure {
  const ratio = cpuPerOrder(t) / cpuPerOrder(off);
  const paired = pairedRatio(
    t.rounds.map((r) => r.cpuPerOrder),
    off.rounds.map((r) => r.cpuPerOrder),
  );
  const added = cpuPerOrder(t) - cpuPerOrder(off);
  const peerMs = (1000 * t.peerCpu) / t.ok;
  const note = `${signed(added, 2)} CPU-ms (${pct(ratio)}) in the five services, paired ${pct(paired.estimate)} (${ciText(paired, pct(paired.low), pct(paired.high))}); ${peer} used ${peerMs.toFixed(2)} CPU-ms per order, not counted`;
  return {
    case: `service CPU per order, ${name} (${setup})`,
    value: cpuPerOrder(t),
    unit: 'CPU-ms',
    baseline: cpuPerOrder(off),
    ratio,
    ...(target
      ? { target: '< 10% extra service CPU', met: paired.high < 1.1, note: `${note}; ${verdict(paired.high < 1.1, paired.estimate < 1.1, paired.rounds)}` }
      : { note }),
  };
}

/**
 * Service CPU per exported span: the CPU per order tracing adds, over the
 * spans per order the sink received (counted, so a lost span would show).
 */
export function perSpanFigure(protocol: string, t: Tally, off: Tally, spansPerOrder: number): Figure {
  const addedUs = (cpuPerOrder(t) - cpuPerOrder(off)) * 1000;
  return {
    case: `service CPU per exported span, ${protocol}`,
    value: addedUs / spansPerOrder,
    unit: 'µs/span',
    note: `+${(addedUs / 1000).toFixed(2)} CPU-ms per order / ${spansPerOrder.toFixed(2)} spans per order received; includes creating, recording and ending the span, not only export`,
  };
}

/**
 * p50 and p99 latency of `on` against `off`, with the per-round added
 * latency's 95% interval; p99 added is the target, met only when the
 * interval's upper end is under 1 ms.
 */
export function latencyFigures(setup: string, name: string, on: Tally, off: Tally): Figure[] {
  const figures: Figure[] = [];
  const spread = (t: Tally): string => {
    const p99s = t.rounds.map((r) => r.p99);
    return `round p99s ${Math.min(...p99s).toFixed(1)}-${Math.max(...p99s).toFixed(1)} ms`;
  };
  for (const p of [50, 99] as const) {
    const base = percentile(off.lat, p);
    const v = percentile(on.lat, p);
    const key = p === 50 ? 'p50' : 'p99';
    const added = pairedDifference(
      on.rounds.map((r) => r[key]),
      off.rounds.map((r) => r[key]),
    );
    const ci = `added per round ${signed(added.estimate, 2)} ms, ${ciText(added, signed(added.low, 2), `${signed(added.high, 2)} ms`)}`;
    figures.push({ case: `p${p} latency, tracing off (${setup})`, value: base, unit: 'ms', ...(p === 99 ? { note: spread(off) } : {}) });
    figures.push({
      case: `p${p} latency, ${name} (${setup})`,
      value: v,
      unit: 'ms',
      baseline: base,
      ratio: v / base,
      ...(p === 99
        ? { target: '< 1 ms added p99', met: added.high < 1, note: `${signed(v - base, 2)} ms over the whole run; ${ci}; ${verdict(added.high < 1, added.estimate < 1, added.rounds)}; ${spread(on)}` }
        : { note: `${signed(v - base, 2)} ms over the whole run; ${ci}` }),
    });
  }
  return figures;
}
