/**
 * Interleaved measurement rounds for the service-overhead bench: each case
 * is a shop; the cases take turns in short rounds (order rotated each round)
 * so drift on a shared machine hits all of them alike, and each round reads
 * the CPU time its shop's five processes used while it was the one loaded.
 */
import { percentile } from '../lib.ts';
import type { LoadResult } from './load.ts';
import type { BenchShop } from './shop.ts';

export interface Tally {
  ok: number;
  failed: number;
  /** Wall-clock seconds under load. */
  seconds: number;
  /** Client-side latencies of successful orders, ms, sorted. */
  lat: number[];
  /** CPU seconds of the shop's five services during its rounds. */
  cpu: number;
  /** CPU seconds of the exporter's peer (sink or explorer) during the case's rounds. */
  peerCpu: number;
  /** Each round alone, in round order: what paired.ts compares round by round against the baseline. */
  rounds: RoundTally[];
}

export interface RoundTally {
  /** Orders per second. */
  throughput: number;
  /** Service CPU-ms per successful order. */
  cpuPerOrder: number;
  p50: number;
  p99: number;
}

export interface RoundCase {
  name: string;
  shop: BenchShop;
  /** CPU seconds of whatever receives this case's spans (NaN or 0 when nothing does). */
  peerCpuSeconds?: () => number;
}

export interface RoundPlan {
  rounds: number;
  roundMs: number;
  settleMs: number;
  load: (gatewayUrl: string, durationMs: number) => Promise<LoadResult>;
  onRound?: (round: number) => void;
}

const empty = (): Tally => ({ ok: 0, failed: 0, seconds: 0, lat: [], cpu: 0, peerCpu: 0, rounds: [] });

/** Runs `plan.rounds` rounds over `cases`; returns one tally per case name. */
export async function runRounds(cases: readonly RoundCase[], plan: RoundPlan): Promise<Map<string, Tally>> {
  const tallies = new Map(cases.map((c) => [c.name, empty()]));
  for (let r = 0; r < plan.rounds; r++) {
    // Rotate the order each round so no case always runs right after the same neighbour.
    const order = cases.map((_, i) => cases[(i + r) % cases.length] as RoundCase);
    for (const c of order) {
      await new Promise((resolve) => setTimeout(resolve, plan.settleMs));
      const t = tallies.get(c.name) as Tally;
      const cpu0 = c.shop.cpuSeconds();
      const peer0 = c.peerCpuSeconds?.() ?? 0;
      const res = await plan.load(c.shop.gatewayUrl, plan.roundMs);
      const cpu = c.shop.cpuSeconds() - cpu0;
      t.cpu += cpu;
      t.peerCpu += (c.peerCpuSeconds?.() ?? 0) - peer0;
      t.ok += res.ok;
      t.failed += res.failed;
      t.seconds += res.elapsedMs / 1000;
      t.lat.push(...res.latenciesMs);
      t.rounds.push({
        throughput: res.ok / (res.elapsedMs / 1000),
        cpuPerOrder: res.ok > 0 ? (1000 * cpu) / res.ok : Number.NaN,
        p50: percentile(res.latenciesMs, 50),
        p99: percentile(res.latenciesMs, 99),
      });
    }
    plan.onRound?.(r + 1);
  }
  for (const t of tallies.values()) t.lat.sort((a, b) => a - b);
  return tallies;
}

/** Orders per second over the case's rounds. */
export const throughput = (t: Tally): number => t.ok / t.seconds;

/** CPU-ms of the five services per successful order. */
export const cpuPerOrder = (t: Tally): number => (1000 * t.cpu) / t.ok;
