/**
 * Bench 2, service overhead: POST /api/orders (gateway -> orders ->
 * inventory over gRPC, SQLite writes, outbox to Kafka and RabbitMQ) with
 * tracing off against always_on, one shop per case, side by side, in
 * interleaved rounds (support/overhead-rounds.ts). Three setups:
 *   S. saturation (16 closed-loop clients), default protocol into a discard
 *      sink: the throughput tracing costs the services alone;
 *   A. moderate load: every case at the same rate (open loop at half of S's
 *      off throughput), each exporting to a discard sink of its own over one
 *      OTLP protocol: service CPU per order and per exported span, and the
 *      latency tracing adds when nothing queues;
 *   B. saturation, spans exported to an explorer that has a core of its own
 *      (taskset: every service on CPU 0, the explorer and this process on 1).
 * Targets: < 10% extra service CPU per order (A, B), < 10% throughput (S, B),
 * < 1 ms added p99 (A).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../packages/tracing/src/index.ts';
import { type BenchResult, type Figure, progress, stamp } from './lib.ts';
import { startExplorerProcess } from './support/explorer-process.ts';
import { closedLoop, openLoop } from './support/load.ts';
import { cpuFigure, latencyFigures, perSpanFigure, throughputFigure } from './support/overhead-figures.ts';
import { type RoundCase, type Tally, cpuPerOrder, runRounds, throughput } from './support/overhead-rounds.ts';
import { pin } from './support/proc.ts';
import { type BenchProtocol, type BenchShop, TRACING_OFF, exportTo, startBenchShop } from './support/shop.ts';
import { type DiscardSink, startDiscardSink } from './support/sink-process.ts';

const CONCURRENCY = 16;
/** The library's default protocol: the case the targets are judged on. */
const DEFAULT_PROTOCOL = resolveConfig({ serviceName: 'bench' }, {}).protocol as BenchProtocol;
const PROTOCOL_NAME: Record<BenchProtocol, string> = { grpc: 'OTLP/gRPC', 'http/protobuf': 'OTLP/HTTP protobuf', 'http/json': 'OTLP/HTTP JSON' };
const ON = `always_on, ${PROTOCOL_NAME[DEFAULT_PROTOCOL]}`;

interface CaseDef {
  name: string;
  /** Where its spans go: a discard sink of its own, the explorer, or nowhere. */
  to: 'none' | 'sink' | 'explorer';
  protocol?: BenchProtocol;
  ratio?: number;
}

function caseDefs(quick: boolean): CaseDef[] {
  const others = (['grpc', 'http/protobuf', 'http/json'] as const).filter((p) => p !== DEFAULT_PROTOCOL);
  return [
    { name: 'off', to: 'none' },
    { name: ON, to: 'sink', protocol: DEFAULT_PROTOCOL },
    ...(quick ? [] : others.map((p): CaseDef => ({ name: `always_on, ${PROTOCOL_NAME[p]}`, to: 'sink', protocol: p }))),
    ...(quick ? [] : [{ name: 'parentbased 10%', to: 'sink', protocol: DEFAULT_PROTOCOL, ratio: 0.1 } satisfies CaseDef]),
    { name: `${ON} -> explorer`, to: 'explorer', protocol: DEFAULT_PROTOCOL },
  ];
}

interface Running {
  def: CaseDef;
  shop: BenchShop;
  sink?: DiscardSink;
  /** Successful orders sent to this shop in all phases, warm-up included. */
  orders: number;
}

const allCpus = (): string => `0-${os.cpus().length - 1}`;

export async function run(quick: boolean): Promise<BenchResult> {
  const plan = { rounds: quick ? 2 : 4, roundMs: quick ? 2_000 : 5_000, settleMs: quick ? 300 : 1_000 };
  const warmupMs = quick ? 1_500 : 4_000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-overhead-'));
  const explorer = await startExplorerProcess(dataDir);
  const running: Running[] = [];
  const figures: Figure[] = [];
  const parameters: Record<string, unknown> = {};
  try {
    const defs = caseDefs(quick);
    progress(`service-overhead: starting ${defs.length} shops (${defs.map((d) => d.name).join(' / ')})`);
    for (const def of defs) running.push(await startCase(def, explorer.grpcPort, explorer.httpPort));
    const byName = (n: string): Running => running.find((r) => r.def.name === n) as Running;
    const count = (r: Running, t: Tally): void => void (r.orders += t.ok);
    await Promise.all(running.map(async (r) => void (r.orders += (await closedLoop(r.shop.gatewayUrl, CONCURRENCY, warmupMs)).ok)));

    // S: saturation (closed loop), default protocol into a discard sink: the throughput target.
    const sCases = [byName('off'), byName(ON)];
    const sat = await runRounds(sCases.map(asRoundCase), { ...plan, load: (u, ms) => closedLoop(u, CONCURRENCY, ms), onRound: (n) => progress(`service-overhead: S (saturation, discard sink) round ${n}/${plan.rounds}`) });
    sCases.forEach((r) => count(r, sat.get(r.def.name) as Tally));

    // A: every sink case at one moderate rate (open loop, half of S's off throughput), so every
    // case serves the same orders: CPU per order compares like with like (the shop's own batching
    // in Kafka and SQLite makes CPU per order fall as the rate rises), and latency is not queueing.
    const rate = Math.max(5, Math.round(throughput(sat.get('off') as Tally) / 2));
    const aCases = running.filter((r) => r.def.to !== 'explorer');
    const a = await runRounds(aCases.map(asRoundCase), { ...plan, load: (u, ms) => openLoop(u, rate, ms), onRound: (n) => progress(`service-overhead: A (${rate} orders/s, discard sinks) round ${n}/${plan.rounds}`) });
    aCases.forEach((r) => count(r, a.get(r.def.name) as Tally));

    // B: saturation, explorer on a core of its own.
    const pinned = pinAll(running, explorer.pid);
    const bCases = [byName('off'), byName(`${ON} -> explorer`)];
    const b = await runRounds(
      bCases.map((r) => ({ ...asRoundCase(r), ...(r.def.to === 'explorer' ? { peerCpuSeconds: explorer.cpuSeconds } : {}) })),
      { ...plan, load: (u, ms) => closedLoop(u, CONCURRENCY, ms), onRound: (n) => progress(`service-overhead: B (explorer on its own core) round ${n}/${plan.rounds}`) },
    );
    bCases.forEach((r) => count(r, b.get(r.def.name) as Tally));
    pin(process.pid, allCpus());

    // Close every shop (flushing its spans) before the sinks' counts are read.
    for (const r of running) await r.shop.close().catch(() => {});
    const spans = new Map<string, number>();
    for (const r of running) if (r.sink) spans.set(r.def.name, (await r.sink.stats()).spans / r.orders);
    const stored = ((await (await fetch(`${explorer.url}/api/tw/status`)).json()) as { spans: number }).spans;
    spans.set(`${ON} -> explorer`, stored / byName(`${ON} -> explorer`).orders);

    figures.push(...setupA(a, running, spans, rate), ...setupS(sat), ...setupB(b, pinned));
    Object.assign(parameters, {
      path: 'POST /api/orders: gateway -> orders -> inventory (gRPC), SQLite, outbox -> Kafka + RabbitMQ consumers',
      concurrency: CONCURRENCY,
      ...plan,
      warmupMs,
      defaultProtocol: DEFAULT_PROTOCOL,
      cases: defs.map((d) => d.name).join(' / '),
      setups: 'S: saturation (closed loop), discard sink; A: open loop at half of S\'s off throughput, each case exports to its own discard sink; B: saturation, services pinned to CPU 0, explorer + load generator to CPU 1',
      pinned,
      moderateRate: rate,
      batch: 'BatchSpanProcessor settings are the library defaults',
      failedRequests: [...sat, ...a, ...b].map(([n, t]) => `${n}: ${t.failed}`).join(', '),
      spansPerOrder: Object.fromEntries(spans),
      ordersPerCase: Object.fromEntries(running.map((r) => [r.def.name, r.orders])),
    });
  } finally {
    pin(process.pid, allCpus());
    for (const r of running) {
      await r.shop.close().catch(() => {});
      await r.sink?.stop();
    }
    await explorer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { name: 'service-overhead', title: 'Service overhead: what always_on tracing costs the shop, against tracing off in the same run', ...stamp(), quick, parameters, figures };
}

async function startCase(def: CaseDef, explorerGrpc: number, explorerHttp: number): Promise<Running> {
  const sink = def.to === 'sink' ? await startDiscardSink() : undefined;
  const protocol = def.protocol ?? DEFAULT_PROTOCOL;
  const port = (grpcPort: number, httpPort: number): number => (protocol === 'grpc' ? grpcPort : httpPort);
  const env =
    def.to === 'none'
      ? TRACING_OFF
      : exportTo(`http://127.0.0.1:${sink ? port(sink.grpcPort, sink.httpPort) : port(explorerGrpc, explorerHttp)}`, protocol, def.ratio);
  try {
    return { def, shop: await startBenchShop(env), ...(sink ? { sink } : {}), orders: 0 };
  } catch (error) {
    await sink?.stop();
    throw error;
  }
}

function asRoundCase(r: Running): RoundCase {
  const sink = r.sink;
  return { name: r.def.name, shop: r.shop, ...(sink ? { peerCpuSeconds: () => sink.cpuSeconds() } : {}) };
}

/** Every service of every shop on CPU 0; the explorer and this process (the load) on CPU 1. */
function pinAll(running: Running[], explorerPid: number): boolean {
  if (os.cpus().length < 2) return false;
  let ok = pin(explorerPid, '1') && pin(process.pid, '1');
  for (const r of running) for (const pid of r.shop.pids()) ok = pin(pid, '0') && ok;
  return ok;
}

function setupA(a: Map<string, Tally>, running: Running[], spans: Map<string, number>, rate: number): Figure[] {
  const setup = `A: ${rate} orders/s, discard sink`;
  const off = a.get('off') as Tally;
  const on = running.filter((r) => r.def.to === 'sink');
  const figures: Figure[] = [{ case: `service CPU per order, tracing off (${setup})`, value: cpuPerOrder(off), unit: 'CPU-ms' }];
  for (const r of on) figures.push(cpuFigure(setup, r.def.name, a.get(r.def.name) as Tally, off, r.def.name === ON, 'the sink'));
  for (const r of on.filter((x) => x.def.ratio === undefined)) {
    figures.push(perSpanFigure(PROTOCOL_NAME[r.def.protocol as BenchProtocol], a.get(r.def.name) as Tally, off, spans.get(r.def.name) ?? Number.NaN));
  }
  figures.push(...latencyFigures(setup, ON, a.get(ON) as Tally, off));
  return figures;
}

function setupS(sat: Map<string, Tally>): Figure[] {
  const setup = 'S: saturation, discard sink';
  const off = sat.get('off') as Tally;
  const on = sat.get(ON) as Tally;
  return [
    { case: `throughput, tracing off (${setup})`, value: throughput(off), unit: 'orders/s' },
    throughputFigure(setup, ON, on, off, true),
    { case: `service CPU per order, tracing off (${setup})`, value: cpuPerOrder(off), unit: 'CPU-ms' },
    cpuFigure(setup, ON, on, off, false, 'the sink'),
  ];
}

function setupB(b: Map<string, Tally>, pinned: boolean): Figure[] {
  const setup = pinned ? 'B: saturation, explorer on its own core' : 'B: saturation, explorer sharing the cores (taskset failed)';
  const off = b.get('off') as Tally;
  const on = b.get(`${ON} -> explorer`) as Tally;
  return [
    { case: `throughput, tracing off (${setup})`, value: throughput(off), unit: 'orders/s' },
    throughputFigure(setup, `${ON} -> explorer`, on, off, true),
    { case: `service CPU per order, tracing off (${setup})`, value: cpuPerOrder(off), unit: 'CPU-ms' },
    cpuFigure(setup, `${ON} -> explorer`, on, off, true, 'the explorer'),
  ];
}
