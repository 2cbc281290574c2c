/**
 * Bench 2, service overhead: POST /api/orders (gateway -> orders ->
 * inventory over gRPC, SQLite writes, outbox to Kafka and RabbitMQ) with
 * tracing off against always_on, one shop per case, side by side, in
 * interleaved rounds (support/overhead-rounds.ts). Four setups:
 *   S. saturation (16 closed-loop clients), default protocol into a discard
 *      sink: the throughput tracing costs the services alone, with the
 *      library's OTLP encoder and with the official one (in-run baseline),
 *      and always_on with no exporter (what recording alone costs);
 *   A. every case at the same rate (open loop at half of S's off
 *      throughput), each exporting to a discard sink of its own over one
 *      OTLP protocol: service CPU per order and per exported span;
 *   L. moderate load (open loop at a quarter of S's off throughput), off
 *      against always_on only, twice as many rounds: the latency tracing adds;
 *   B. saturation, spans exported to an explorer that has a core of its own
 *      (taskset: the explorer alone on CPU 1; the services and this process,
 *      which generates the load, on CPU 0).
 * Targets: < 10% extra service CPU per order (A, B), < 10% throughput (S, B),
 * < 1 ms added p99 (L). Each is judged on its 95% interval over paired
 * rounds (paired.ts), not on one run's estimate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../packages/tracing/src/index.ts';
import { type BenchResult, type Figure, progress, stamp } from './lib.ts';
import { type ExplorerProcess, startExplorerProcess } from './support/explorer-process.ts';
import { closedLoop, openLoop } from './support/load.ts';
import { cpuFigure, latencyFigures, perSpanFigure, throughputFigure } from './support/overhead-figures.ts';
import { type RoundCase, type RoundPlan, type Tally, cpuPerOrder, runRounds, throughput } from './support/overhead-rounds.ts';
import { pinSetupB, unpinSelf } from './support/proc.ts';
import { type BenchProtocol, type BenchShop, TRACING_OFF, exportTo, startBenchShop } from './support/shop.ts';
import { type DiscardSink, startDiscardSink } from './support/sink-process.ts';

const CONCURRENCY = 16;
/** The library's default protocol: the case the targets are judged on. */
const DEFAULT_PROTOCOL = resolveConfig({ serviceName: 'bench' }, {}).protocol as BenchProtocol;
const PROTOCOL_NAME: Record<BenchProtocol, string> = { grpc: 'OTLP/gRPC', 'http/protobuf': 'OTLP/HTTP protobuf', 'http/json': 'OTLP/HTTP JSON' };
const ON = `always_on, ${PROTOCOL_NAME[DEFAULT_PROTOCOL]}`;
/** The same, serialised by @opentelemetry/otlp-transformer: the in-run baseline of the library's encoder. */
const ON_OFFICIAL = `${ON}, official encoder`;
/**
 * always_on with no exporter: what recording the spans costs (the SDK's span path and our helpers),
 * export aside. No batch processor either, so spans die as they end instead of waiting in its queue.
 */
const RECORD_ONLY = 'always_on, spans not exported';

interface CaseDef {
  name: string;
  /** Where its spans go: a discard sink of its own, the explorer, or nowhere. */
  to: 'none' | 'sink' | 'explorer';
  protocol?: BenchProtocol;
  ratio?: number;
  /** TRACEWIRE_OTLP_ENCODER for this shop; the library's own encoder when unset. */
  encoder?: 'official';
  /** Variables over tracing off, for a case that exports nowhere. */
  env?: Record<string, string>;
}

function caseDefs(quick: boolean): CaseDef[] {
  const others = (['grpc', 'http/protobuf', 'http/json'] as const).filter((p) => p !== DEFAULT_PROTOCOL);
  return [
    { name: 'off', to: 'none' },
    { name: ON, to: 'sink', protocol: DEFAULT_PROTOCOL },
    { name: ON_OFFICIAL, to: 'sink', protocol: DEFAULT_PROTOCOL, encoder: 'official' },
    { name: RECORD_ONLY, to: 'none', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_TRACES_SAMPLER: 'always_on' } },
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


export async function run(quick: boolean): Promise<BenchResult> {
  // --quick is a smoke run (test/bench/bench-smoke.test.ts runs every bench in under 3 minutes): one short round per setup.
  const plan = { rounds: quick ? 1 : 8, roundMs: quick ? 2_000 : 5_000, settleMs: quick ? 300 : 1_000, warmMs: quick ? 1_000 : 20_000 };
  const warmupMs = quick ? 1_500 : 4_000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-overhead-'));
  const explorer = await startExplorerProcess(dataDir);
  const running: Running[] = [];
  const figures: Figure[] = [];
  const parameters: Record<string, unknown> = {};
  try {
    const defs = caseDefs(quick);
    progress(`service-overhead: starting ${defs.length} shops (${defs.map((d) => d.name).join(' / ')})`);
    const started = await Promise.allSettled(defs.map((def) => startCase(def, explorer.grpcPort, explorer.httpPort)));
    for (const s of started) if (s.status === 'fulfilled') running.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(running.map(async (r) => void (r.orders += (await closedLoop(r.shop.gatewayUrl, CONCURRENCY, warmupMs)).ok)));
    const { sat, a, lat, b, rate, latencyRate, pinned } = await measure(running, explorer, plan);
    // Close every shop (flushing its spans) before the sinks' counts are read.
    for (const r of running) await r.shop.close().catch(() => {});
    const spans = await spansPerOrder(running, explorer.url);
    figures.push(
      ...setupA(a, running, spans, rate),
      ...latencyFigures(`L: ${latencyRate} orders/s, discard sink`, ON, lat.get(ON) as Tally, lat.get('off') as Tally),
      ...setupS(sat),
      ...setupB(b, pinned),
      ...receivedFigures(spans),
    );
    Object.assign(parameters, {
      path: 'POST /api/orders: gateway -> orders -> inventory (gRPC), SQLite, outbox -> Kafka + RabbitMQ consumers',
      concurrency: CONCURRENCY,
      ...plan,
      warmupMs,
      defaultProtocol: DEFAULT_PROTOCOL,
      cases: defs.map((d) => d.name).join(' / '),
      setups: 'S: saturation (closed loop), discard sink; A: open loop at half of S\'s off throughput, each case exports to its own discard sink; L: off and always_on at a quarter of S\'s off throughput, twice the rounds; B: saturation, the explorer alone on CPU 1, services + load generator on CPU 0',
      verdicts: '95% Student-t interval over paired rounds (round r of a case ran beside round r of off); a target is met when the interval lies within the budget',
      pinned,
      sameRate: rate,
      moderateRate: latencyRate,
      batch: 'BatchSpanProcessor settings are the library defaults',
      failedRequests: [...sat, ...a, ...lat, ...b].map(([n, t]) => `${n}: ${t.failed}`).join(', '),
      spansPerOrder: Object.fromEntries(spans),
      ordersPerCase: Object.fromEntries(running.map((r) => [r.def.name, r.orders])),
    });
  } finally {
    unpinSelf();
    for (const r of running) {
      await r.shop.close().catch(() => {});
      await r.sink?.stop();
    }
    await explorer.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { name: 'service-overhead', title: 'Service overhead: what always_on tracing costs the shop, against tracing off in the same run', ...stamp(), quick, parameters, figures };
}

type Plan = Omit<RoundPlan, 'load' | 'onRound'> & { warmMs: number };

/** The four setups' rounds, in the order S (its off throughput sets A's and L's rates), A, L, B (pins, then unpins this process). */
async function measure(running: Running[], explorer: ExplorerProcess, plan: Plan) {
  const byName = (n: string): Running => running.find((r) => r.def.name === n) as Running;
  const phase = async (cases: Running[], label: string, load: RoundPlan['load'], peer?: () => number, roundsFactor = 1) => {
    const rc = cases.map((r) => ({ ...asRoundCase(r), ...(r.def.to === 'explorer' && peer ? { peerCpuSeconds: peer } : {}) }));
    const rounds = plan.rounds * roundsFactor;
    const t = await runRounds(rc, { ...plan, rounds, load, onRound: (n) => progress(`service-overhead: ${label} round ${n}/${rounds}`) });
    for (const r of cases) r.orders += (t.get(r.def.name) as Tally).ok;
    return t;
  };
  // S: saturation (closed loop), default protocol into a discard sink: the throughput target.
  const sat = await phase([byName('off'), byName(ON), byName(ON_OFFICIAL), byName(RECORD_ONLY)], 'S (saturation, discard sink)', (u, ms) => closedLoop(u, CONCURRENCY, ms));
  // A: every sink case at one moderate rate (open loop, half of S's off throughput), so every
  // case serves the same orders: CPU per order compares like with like (the shop's own batching
  // in Kafka and SQLite makes CPU per order fall as the rate rises), and latency is not queueing.
  const rate = Math.max(5, Math.round(throughput(sat.get('off') as Tally) / 2));
  const a = await phase(running.filter((r) => r.def.to !== 'explorer'), `A (${rate} orders/s, discard sinks)`, (u, ms) => openLoop(u, rate, ms));
  // L: moderate load for latency. At half of saturation this shop already queues (its p50 doubles), so
  // the latency tracing adds is read at a quarter, with twice the rounds: the p99 of one round moves a lot.
  const latencyRate = Math.max(5, Math.round(throughput(sat.get('off') as Tally) / 4));
  const lat = await phase([byName('off'), byName(ON)], `L (${latencyRate} orders/s, latency)`, (u, ms) => openLoop(u, latencyRate, ms), undefined, 2);
  // B: saturation, explorer on a core of its own. The shops B does not load are closed first
  // (flushing their spans into their sinks): idle, they still poll Kafka and run timers on the
  // services' one core, which B would otherwise charge to whichever shop it loads.
  const inB = [byName('off'), byName(`${ON} -> explorer`)];
  for (const r of running) if (!inB.includes(r)) await r.shop.close();
  const pinned = pinSetupB(explorer.pid, inB.flatMap((r) => r.shop.pids()));
  // The off shop has run every S and A round by now, the explorer's shop only the first warm-up:
  // a shop gets faster for minutes (JIT, SQLite and broker caches), so without this B compared a
  // warm off with a cold on (-41% in one run, -29% when B ran alone; section 2).
  for (const r of inB) r.orders += (await closedLoop(r.shop.gatewayUrl, CONCURRENCY, plan.warmMs)).ok;
  const b = await phase(inB, 'B (explorer on its own core)', (u, ms) => closedLoop(u, CONCURRENCY, ms), explorer.cpuSeconds);
  unpinSelf();
  return { sat, a, lat, b, rate, latencyRate, pinned };
}

/** Spans received per order sent, per case: 30 for always_on in this shop unless spans were lost. */
async function spansPerOrder(running: Running[], explorerUrl: string): Promise<Map<string, number>> {
  const spans = new Map<string, number>();
  for (const r of running) if (r.sink) spans.set(r.def.name, (await r.sink.stats()).spans / r.orders);
  const stored = ((await (await fetch(`${explorerUrl}/api/tw/status`)).json()) as { spans: number }).spans;
  const toExplorer = running.find((r) => r.def.to === 'explorer');
  if (toExplorer) spans.set(toExplorer.def.name, stored / toExplorer.orders);
  return spans;
}

async function startCase(def: CaseDef, explorerGrpc: number, explorerHttp: number): Promise<Running> {
  const sink = def.to === 'sink' ? await startDiscardSink() : undefined;
  const protocol = def.protocol ?? DEFAULT_PROTOCOL;
  const port = (grpcPort: number, httpPort: number): number => (protocol === 'grpc' ? grpcPort : httpPort);
  const env =
    def.to === 'none'
      ? { ...TRACING_OFF, ...def.env }
      : {
          ...exportTo(`http://127.0.0.1:${sink ? port(sink.grpcPort, sink.httpPort) : port(explorerGrpc, explorerHttp)}`, protocol, def.ratio),
          ...(def.encoder ? { TRACEWIRE_OTLP_ENCODER: def.encoder } : {}),
        };
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

function setupA(a: Map<string, Tally>, running: Running[], spans: Map<string, number>, rate: number): Figure[] {
  const setup = `A: ${rate} orders/s, discard sink`;
  const off = a.get('off') as Tally;
  const on = running.filter((r) => r.def.to === 'sink' || r.def.name === RECORD_ONLY);
  const figures: Figure[] = [{ case: `service CPU per order, tracing off (${setup})`, value: cpuPerOrder(off), unit: 'CPU-ms' }];
  for (const r of on) figures.push(cpuFigure(setup, r.def.name, a.get(r.def.name) as Tally, off, r.def.name === ON, r.sink ? 'the sink' : 'no receiver'));
  for (const r of on.filter((x) => x.def.to === 'sink' && x.def.ratio === undefined)) {
    const label = `${PROTOCOL_NAME[r.def.protocol as BenchProtocol]}${r.def.encoder ? ', official encoder' : ''}`;
    figures.push(perSpanFigure(label, a.get(r.def.name) as Tally, off, spans.get(r.def.name) ?? Number.NaN));
  }
  return figures;
}

/**
 * Spans received per order sent, per always_on case: 30 when the shop finished every order's
 * work. Under saturation the asynchronous consumers fall behind and their backlog is still queued
 * when the shop stops, so fewer mean uncounted work (docs/performance.md, section 2).
 */
function receivedFigures(spans: Map<string, number>): Figure[] {
  return [...spans]
    .filter(([name]) => name !== 'parentbased 10%')
    .map(([name, perOrder]) => ({
      case: `spans received per order, ${name}`,
      value: perOrder,
      unit: 'spans',
      note: perOrder >= 29.995 ? 'every order\'s 30 spans' : `${(30 - perOrder).toFixed(2)} per order not received: consumer backlog still queued at the end, or spans dropped`,
    }));
}

function setupS(sat: Map<string, Tally>): Figure[] {
  const setup = 'S: saturation, discard sink';
  const off = sat.get('off') as Tally;
  const on = sat.get(ON) as Tally;
  return [
    { case: `throughput, tracing off (${setup})`, value: throughput(off), unit: 'orders/s' },
    throughputFigure(setup, ON, on, off, true),
    throughputFigure(setup, ON_OFFICIAL, sat.get(ON_OFFICIAL) as Tally, off, false),
    throughputFigure(setup, RECORD_ONLY, sat.get(RECORD_ONLY) as Tally, off, false),
    { case: `service CPU per order, tracing off (${setup})`, value: cpuPerOrder(off), unit: 'CPU-ms' },
    cpuFigure(setup, ON, on, off, false, 'the sink'),
    cpuFigure(setup, ON_OFFICIAL, sat.get(ON_OFFICIAL) as Tally, off, false, 'the sink'),
    cpuFigure(setup, RECORD_ONLY, sat.get(RECORD_ONLY) as Tally, off, false, 'no receiver'),
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
