/**
 * Figures of the service-overhead bench from its tallies: throughput and
 * service CPU per order against the in-run `off` baseline (targets: < 10%
 * each), service CPU per exported span, and latency added at moderate load
 * (target: < 1 ms at p99).
 */
import { type Figure, percentile } from '../lib.ts';
import { type Tally, cpuPerOrder, throughput } from './overhead-rounds.ts';

const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`;

/** Throughput of `name` against `off`; a target when `target` is set. */
export function throughputFigure(setup: string, name: string, t: Tally, off: Tally, target: boolean): Figure {
  const ratio = throughput(t) / throughput(off);
  const cost = (1 - ratio) * 100;
  const note = cost >= 0 ? `costs ${cost.toFixed(1)}% throughput` : `${(-cost).toFixed(1)}% faster than off: the spread between rounds on a shared machine`;
  return {
    case: `throughput, ${name} (${setup})`,
    value: throughput(t),
    unit: 'orders/s',
    baseline: throughput(off),
    ratio,
    ...(target
      ? { target: 'cost < 10% throughput', met: ratio > 0.9, note: `${note}${ratio > 0.9 ? '' : ` (${(cost - 10).toFixed(1)} points over the 10% budget)`}` }
      : { note }),
  };
}

/** Service CPU per order of `name` against `off`; a target when `target` is set. */
export function cpuFigure(setup: string, name: string, t: Tally, off: Tally, target: boolean, peer: string): Figure {
  const ratio = cpuPerOrder(t) / cpuPerOrder(off);
  const added = cpuPerOrder(t) - cpuPerOrder(off);
  const peerMs = (1000 * t.peerCpu) / t.ok;
  const note = `${added >= 0 ? '+' : ''}${added.toFixed(2)} CPU-ms (${pct(ratio)}) in the five services; ${peer} used ${peerMs.toFixed(2)} CPU-ms per order, not counted`;
  return {
    case: `service CPU per order, ${name} (${setup})`,
    value: cpuPerOrder(t),
    unit: 'CPU-ms',
    baseline: cpuPerOrder(off),
    ratio,
    ...(target
      ? { target: '< 10% extra service CPU', met: ratio < 1.1, note: ratio < 1.1 ? note : `${note}; ${((ratio - 1.1) * 100).toFixed(1)} points over budget` }
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

/** p50 and p99 latency of `on` against `off`; p99 added is the target. */
export function latencyFigures(setup: string, name: string, on: Tally, off: Tally): Figure[] {
  const figures: Figure[] = [];
  const spread = (t: Tally): string => `round p99s ${Math.min(...t.roundP99).toFixed(1)}-${Math.max(...t.roundP99).toFixed(1)} ms`;
  for (const p of [50, 99] as const) {
    const base = percentile(off.lat, p);
    const v = percentile(on.lat, p);
    const added = v - base;
    figures.push({ case: `p${p} latency, tracing off (${setup})`, value: base, unit: 'ms', ...(p === 99 ? { note: spread(off) } : {}) });
    const isTarget = p === 99;
    figures.push({
      case: `p${p} latency, ${name} (${setup})`,
      value: v,
      unit: 'ms',
      baseline: base,
      ratio: v / base,
      ...(isTarget
        ? { target: '< 1 ms added p99', met: added < 1, note: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms${added < 1 ? '' : ` (${(added - 1).toFixed(2)} ms over budget)`}; ${spread(on)}` }
        : { note: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms` }),
    });
  }
  return figures;
}
