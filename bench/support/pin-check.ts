/**
 * `node --import tsx bench/support/pin-check.ts`: setup B of the
 * service-overhead bench with two shops only (tracing off; always_on over
 * OTLP/HTTP protobuf), to find what B's pinning charges to the shop that
 * exports. Services on CPU 0; the receiver on CPU 1; 4 rounds of 5 s each.
 * Env: SINK=1 exports to a discard sink instead of the explorer
 * (SINK_DELAY_MS=<ms> makes it answer late); GEN=<cpus> pins this process,
 * the load generator (default 1, beside the receiver, as B did before);
 * IDLE=<ms> idles both shops after their warm-up; ROUNDS=<n> (default 4); ON_ENV='<json>' adds
 * variables to the exporting shop (e.g. OTEL_BSP_MAX_EXPORT_BATCH_SIZE).
 * Prints spans received per order too (30 when none was dropped), and the throughput ratio paired
 * by round with its 95% interval. For docs/performance.md,
 * section 2 ("Third pass").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startExplorerProcess } from './explorer-process.ts';
import { closedLoop } from './load.ts';
import { type Tally, cpuPerOrder, runRounds, throughput } from './overhead-rounds.ts';
import { pairedRatio } from './paired.ts';
import { pinSetupB, unpinSelf } from './proc.ts';
import { TRACING_OFF, exportTo, startBenchShop } from './shop.ts';
import { startDiscardSink } from './sink-process.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-pin-check-'));
const explorer = await startExplorerProcess(dataDir);
const sink = process.env.SINK ? await startDiscardSink() : undefined;
const off = await startBenchShop(TRACING_OFF);
const onEnv = process.env.ON_ENV ? (JSON.parse(process.env.ON_ENV) as Record<string, string>) : {};
const on = await startBenchShop({ ...exportTo(`http://127.0.0.1:${sink ? sink.httpPort : explorer.httpPort}`, 'http/protobuf'), ...onEnv });
try {
  const warm = await Promise.all([off, on].map((s) => closedLoop(s.gatewayUrl, 16, 4000)));
  let onOrders = warm[1]?.ok ?? 0;
  if (process.env.IDLE) await new Promise((r) => setTimeout(r, Number(process.env.IDLE)));
  pinSetupB(sink?.pid ?? explorer.pid, [...off.pids(), ...on.pids()], process.env.GEN ?? '1');
  const receiverCpu = () => (sink ? sink.cpuSeconds() : explorer.cpuSeconds());
  const cases = [{ name: 'off', shop: off }, { name: 'on', shop: on, peerCpuSeconds: receiverCpu }];
  const t = await runRounds(cases, { rounds: Math.max(1, Number(process.env.ROUNDS || 4)), roundMs: 5000, settleMs: 1000, load: (u, ms) => closedLoop(u, 16, ms) });
  onOrders += t.get('on')?.ok ?? 0;
  await on.close();
  const received = sink ? (await sink.stats()).spans : ((await (await fetch(`${explorer.url}/api/tw/status`)).json()) as { spans: number }).spans;
  process.stdout.write(`spans received per order: ${(received / onOrders).toFixed(2)}\n`);
  for (const [name, x] of t) {
    process.stdout.write(`${name}: ${throughput(x).toFixed(1)} orders/s, ${cpuPerOrder(x).toFixed(2)} service CPU-ms per order, receiver ${((1000 * x.peerCpu) / x.ok).toFixed(2)} CPU-ms per order\n`);
  }
  const offRounds = (t.get('off') as Tally).rounds;
  const onRounds = (t.get('on') as Tally).rounds;
  const cost = pairedRatio(onRounds.map((r) => r.throughput), offRounds.map((r) => r.throughput));
  process.stdout.write(`paired throughput on/off: x${cost.estimate.toFixed(3)} (95% CI x${cost.low.toFixed(3)} to x${cost.high.toFixed(3)}, ${cost.rounds} rounds)\n`);
} finally {
  unpinSelf();
  await off.close();
  await on.close();
  await explorer.stop();
  await sink?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
