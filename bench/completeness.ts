/**
 * Bench 5, trace completeness under load: the demo shop, tracing always_on
 * into a running explorer, takes orders at the highest rate it sustains
 * (80% of the closed-loop saturation throughput measured just before) for
 * 60 s; then every order's trace is read back from the explorer API and
 * checked against the expected span set (bench/support/order-trace-check.ts):
 * every span present, one root, no orphan. A second run restarts the Kafka
 * broker (scripts/kafka.sh restart) a third of the way in. Target: 100.00%.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR, type BenchResult, type Figure, percentile, progress, stamp } from './lib.ts';
import { type ExplorerProcess, startExplorerProcess } from './support/explorer-process.ts';
import { type LoadResult, closedLoop, openLoop } from './support/load.ts';
import { type CheckSpan, type TraceVerdict, checkOrderTrace } from './support/order-trace-check.ts';
import { type BenchShop, startBenchShop, tracingTo } from './support/shop.ts';

const run$ = promisify(execFile);
const ROOT = path.resolve(BENCH_DIR, '..');
const kafka = (action: 'restart' | 'start') => run$('bash', [path.join(ROOT, 'scripts/kafka.sh'), action], { cwd: ROOT, timeout: 180_000 });

/** Export settings of the run: a queue that holds a burst (the SDK default 2048 drops silently), 1 s batches. */
const BSP = { OTEL_BSP_MAX_QUEUE_SIZE: '20000', OTEL_BSP_SCHEDULE_DELAY: '1000' };

async function fetchTrace(agent: http.Agent, base: URL, traceId: string): Promise<CheckSpan[] | undefined> {
  return new Promise((resolve) => {
    http
      .get({ host: base.hostname, port: base.port, path: `/api/tw/traces/${traceId}`, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(undefined);
          try {
            resolve((JSON.parse(Buffer.concat(chunks).toString()) as { spans: CheckSpan[] }).spans);
          } catch {
            resolve(undefined);
          }
        });
      })
      .on('error', () => resolve(undefined));
  });
}

interface Verification {
  orders: number;
  complete: number;
  noTraceId: number;
  verdicts: Map<string, TraceVerdict | 'not found'>;
  /** Time from the end of load until the last trace was complete (or the deadline). */
  settleMs: number;
}

/** Reads every order's trace until all are complete or `drainMs` passes. */
async function verify(explorer: ExplorerProcess, shop: BenchShop, load: LoadResult, drainMs: number): Promise<Verification> {
  const base = new URL(explorer.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const verdicts = new Map<string, TraceVerdict | 'not found'>();
  const pending = load.orderIds.filter((id) => load.traceOf.has(id));
  const start = Date.now();
  let todo = pending;
  while (todo.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < todo.length; i += 8) {
      await Promise.all(
        todo.slice(i, i + 8).map(async (orderId) => {
          const spans = await fetchTrace(agent, base, load.traceOf.get(orderId) as string);
          const verdict = spans ? checkOrderTrace(spans, shop.prefix) : 'not found';
          verdicts.set(orderId, verdict);
          if (verdict === 'not found' || !verdict.complete) next.push(orderId);
        }),
      );
    }
    todo = next;
    if (todo.length === 0 || Date.now() - start > drainMs) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  agent.destroy();
  const complete = [...verdicts.values()].filter((v) => v !== 'not found' && v.complete).length;
  return { orders: load.orderIds.length, complete, noTraceId: load.orderIds.length - pending.length, verdicts, settleMs: Date.now() - start };
}

function summarize(v: Verification): Record<string, unknown> {
  const reasons = new Map<string, number>();
  let orphans = 0;
  let extra = 0;
  for (const verdict of v.verdicts.values()) {
    if (verdict === 'not found') {
      reasons.set('trace not found', (reasons.get('trace not found') ?? 0) + 1);
      continue;
    }
    if (verdict.orphans > 0) orphans++;
    if (verdict.extra.length > 0) extra++;
    for (const m of verdict.missing) reasons.set(m, (reasons.get(m) ?? 0) + 1);
  }
  return { orders: v.orders, complete: v.complete, noTraceId: v.noTraceId, tracesWithOrphans: orphans, tracesWithRedeliveredSpans: extra, settleMs: v.settleMs, missingSpans: Object.fromEntries(reasons) };
}

function figureFor(name: string, v: Verification, load: LoadResult): Figure {
  const share = v.orders === 0 ? 0 : (100 * v.complete) / v.orders;
  const incomplete = v.orders - v.complete;
  return {
    case: name,
    value: Number(share.toFixed(2)),
    unit: '% complete',
    target: '100.00%',
    met: v.orders > 0 && incomplete === 0,
    note: `${v.complete}/${v.orders} orders${incomplete ? `, ${incomplete} incomplete (${(100 - share).toFixed(2)} points short)` : ''}; ${load.failed} requests failed; p99 ${percentile(load.latenciesMs, 99).toFixed(0)} ms; all complete ${(v.settleMs / 1000).toFixed(1)} s after load`,
  };
}

export async function run(quick: boolean): Promise<BenchResult> {
  const durationMs = quick ? 10_000 : 60_000;
  const drainMs = quick ? 30_000 : 90_000;
  const withRestart = !quick;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-complete-'));
  const explorer = await startExplorerProcess(dataDir);
  let shop: BenchShop | undefined;
  try {
    progress('completeness: starting the shop (always_on -> explorer)');
    shop = await startBenchShop({ ...tracingTo(explorer.grpcPort), ...BSP });
    const probe = await closedLoop(shop.gatewayUrl, 16, quick ? 2_500 : 8_000);
    const saturation = probe.ok / (probe.elapsedMs / 1000);
    const rate = Math.max(1, Math.floor(saturation * 0.8));
    progress(`completeness: saturation ${saturation.toFixed(1)} orders/s, running at ${rate}/s for ${durationMs / 1000} s`);
    const steady = await openLoop(shop.gatewayUrl, rate, durationMs);
    const steadyV = await verify(explorer, shop, steady, drainMs);
    const figures: Figure[] = [
      { case: 'order rate sustained (80% of saturation)', value: steady.ok / (steady.elapsedMs / 1000), unit: 'orders/s', note: `saturation (16 closed-loop clients) ${saturation.toFixed(1)} orders/s` },
      figureFor(`complete traces, ${durationMs / 1000} s at ${rate}/s`, steadyV, steady),
    ];
    const parameters: Record<string, unknown> = {
      durationMs,
      rate,
      saturationOrdersPerSec: saturation,
      drainMs,
      exporter: 'OTLP/gRPC to an explorer child process',
      bsp: BSP,
      expected: 'the span set of test/shop/order-trace.test.ts: 18 spans over 5 services, one root, no orphan',
      steady: summarize(steadyV),
    };
    if (withRestart) {
      progress(`completeness: again, with a Kafka restart after ${durationMs / 3000} s`);
      let restartMs = 0;
      const restart = (async () => {
        await new Promise((r) => setTimeout(r, durationMs / 3));
        const t = Date.now();
        await kafka('restart');
        restartMs = Date.now() - t;
      })();
      let load: LoadResult;
      try {
        load = await openLoop(shop.gatewayUrl, rate, durationMs);
        await restart;
      } finally {
        await restart.catch(() => {});
        await kafka('start');
      }
      const v = await verify(explorer, shop, load, drainMs);
      figures.push(figureFor(`complete traces, Kafka restarted mid-run`, v, load));
      parameters.kafkaRestart = { ...summarize(v), restartMs };
    } else {
      parameters.kafkaRestart = 'skipped in --quick (restarting the shared broker takes longer than the quick budget)';
    }
    return {
      name: 'completeness',
      title: 'Trace completeness under load (and across a Kafka restart)',
      ...stamp(),
      quick,
      parameters,
      figures,
    };
  } finally {
    await shop?.close().catch(() => {});
    await explorer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
