/**
 * Bench 2, service overhead: POST /api/orders (gateway -> orders ->
 * inventory over gRPC, SQLite writes, outbox to Kafka and RabbitMQ) under a
 * fixed number of concurrent clients, with tracing off, always_on exporting
 * to a running explorer, and parentbased 10%. Three shops run side by side
 * and the bench interleaves short rounds between them, so drift on this
 * shared machine hits all three alike. Target: always_on costs under 10%
 * throughput and under 1 ms added p99.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchResult, type Figure, percentile, progress, stamp } from './lib.ts';
import { startExplorerProcess } from './support/explorer-process.ts';
import { type LoadResult, closedLoop } from './support/load.ts';
import { type BenchShop, TRACING_OFF, startBenchShop, tracingTo } from './support/shop.ts';

const CONCURRENCY = 16;
const ALL_CASES = ['off', 'always_on', 'parentbased 10%'] as const;
type Case = (typeof ALL_CASES)[number];

function merge(parts: LoadResult[]): { ok: number; failed: number; seconds: number; lat: number[] } {
  return {
    ok: parts.reduce((n, p) => n + p.ok, 0),
    failed: parts.reduce((n, p) => n + p.failed, 0),
    seconds: parts.reduce((n, p) => n + p.elapsedMs, 0) / 1000,
    lat: parts.flatMap((p) => p.latenciesMs).sort((a, b) => a - b),
  };
}

export async function run(quick: boolean): Promise<BenchResult> {
  const rounds = quick ? 2 : 4;
  const roundMs = quick ? 2_000 : 5_000;
  const warmupMs = quick ? 1_500 : 4_000;
  const settleMs = quick ? 300 : 1_000;
  // --quick leaves out the 10% shop: five fewer processes to start keeps the smoke run short.
  const CASES: readonly Case[] = quick ? ['off', 'always_on'] : ALL_CASES;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-overhead-'));
  const explorer = await startExplorerProcess(dataDir);
  const shops = new Map<Case, BenchShop>();
  const figures: Figure[] = [];
  const samples = new Map<Case, LoadResult[]>(ALL_CASES.map((c) => [c, []]));
  // CPU seconds of the shop's processes (and of the explorer) during each case's rounds:
  // CPU per order is what tracing costs, independent of how busy the machine is.
  const cpu = new Map<Case, number>();
  const explorerCpu = new Map<Case, number>();
  try {
    const envs: Record<Case, Record<string, string>> = {
      off: TRACING_OFF,
      always_on: tracingTo(explorer.grpcPort),
      'parentbased 10%': tracingTo(explorer.grpcPort, 0.1),
    };
    progress(`service-overhead: starting ${CASES.length} shops (tracing ${CASES.join(' / ')})`);
    const started = await Promise.allSettled(CASES.map((c) => startBenchShop(envs[c])));
    started.forEach((s, i) => s.status === 'fulfilled' && shops.set(CASES[i] as Case, s.value));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(CASES.map((c) => closedLoop(shops.get(c)!.gatewayUrl, CONCURRENCY, warmupMs)));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no case always runs right after the same neighbour.
      const order = CASES.map((_, i) => CASES[(i + r) % CASES.length] as Case);
      for (const c of order) {
        await new Promise((res) => setTimeout(res, settleMs));
        const shop = shops.get(c)!;
        const cpu0 = shop.cpuSeconds();
        const explorerCpu0 = explorer.cpuSeconds();
        samples.get(c)!.push(await closedLoop(shop.gatewayUrl, CONCURRENCY, roundMs));
        cpu.set(c, (cpu.get(c) ?? 0) + shop.cpuSeconds() - cpu0);
        explorerCpu.set(c, (explorerCpu.get(c) ?? 0) + explorer.cpuSeconds() - explorerCpu0);
      }
      progress(`service-overhead: round ${r + 1}/${rounds}`);
    }
    const m = Object.fromEntries(CASES.map((c) => [c, merge(samples.get(c)!)])) as Record<Case, ReturnType<typeof merge>>;
    const cases = CASES.join(' / ');
    const tput = (c: Case) => m[c].ok / m[c].seconds;
    const off = m.off;
    figures.push({ case: 'throughput, tracing off', value: tput('off'), unit: 'orders/s' });
    for (const c of CASES.filter((x) => x !== 'off')) {
      const ratio = tput(c) / tput('off');
      const isTarget = c === 'always_on';
      figures.push({
        case: `throughput, ${c}`,
        value: tput(c),
        unit: 'orders/s',
        baseline: tput('off'),
        ratio,
        ...(isTarget
          ? { target: 'cost < 10% throughput', met: ratio > 0.9, note: `costs ${((1 - ratio) * 100).toFixed(1)}% throughput${ratio > 0.9 ? '' : ` (${((0.9 - ratio) * 100).toFixed(1)} points over the 10% budget)`}` }
          : { note: ratio <= 1 ? `costs ${((1 - ratio) * 100).toFixed(1)}% throughput` : `${((ratio - 1) * 100).toFixed(1)}% faster than off: the spread between shops on a busy machine` }),
      });
    }
    const cpuPerOrder = (c: Case) => (1000 * (cpu.get(c) ?? 0)) / m[c].ok;
    const cpuKnown = CASES.every((c) => Number.isFinite(cpuPerOrder(c)));
    if (cpuKnown) figures.push({ case: 'shop CPU per order, tracing off', value: cpuPerOrder('off'), unit: 'CPU-ms' });
    for (const c of cpuKnown ? CASES.filter((x) => x !== 'off') : []) {
      const r = cpuPerOrder(c) / cpuPerOrder('off');
      figures.push({
        case: `shop CPU per order, ${c}`,
        value: cpuPerOrder(c),
        unit: 'CPU-ms',
        baseline: cpuPerOrder('off'),
        ratio: r,
        note: `${cpuPerOrder(c) >= cpuPerOrder('off') ? '+' : ''}${(cpuPerOrder(c) - cpuPerOrder('off')).toFixed(2)} CPU-ms in the five services; the explorer adds ${((1000 * (explorerCpu.get(c) ?? 0)) / m[c].ok).toFixed(2)} CPU-ms on the same 2 cores`,
      });
    }
    for (const p of [50, 99] as const) {
      const base = percentile(off.lat, p);
      figures.push({ case: `p${p} latency, tracing off`, value: base, unit: 'ms' });
      for (const c of CASES.filter((x) => x !== 'off')) {
        const v = percentile(m[c].lat, p);
        const added = v - base;
        const isTarget = c === 'always_on' && p === 99;
        figures.push({
          case: `p${p} latency, ${c}`,
          value: v,
          unit: 'ms',
          baseline: base,
          ratio: v / base,
          ...(isTarget
            ? { target: '< 1 ms added p99', met: added < 1, note: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms${added < 1 ? '' : ` (${(added - 1).toFixed(2)} ms over budget)`}` }
            : { note: `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms` }),
        });
      }
    }
    const errors = CASES.map((c) => `${c}: ${m[c].failed}`).join(', ');
    const status = (await (await fetch(`${explorer.url}/api/tw/status`)).json()) as { spans: number };
    return {
      name: 'service-overhead',
      title: 'Service overhead: shop throughput and latency, tracing off / always_on / 10%',
      ...stamp(),
      quick,
      parameters: {
        path: 'POST /api/orders: gateway -> orders -> inventory (gRPC), SQLite, outbox -> Kafka + RabbitMQ consumers',
        concurrency: CONCURRENCY,
        rounds,
        roundMs,
        warmupMs,
        cases,
        schedule: 'one shop per case side by side; rounds interleaved, order rotated each round',
        exporter: 'OTLP/gRPC to an explorer child process on the same machine (BSP defaults: 512/5 s/2048)',
        failedRequests: errors,
        explorerSpansStored: status.spans,
        ordersPerCase: Object.fromEntries(CASES.map((c) => [c, m[c].ok])),
      },
      figures,
    };
  } finally {
    for (const s of shops.values()) await s.close().catch(() => {});
    await explorer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
