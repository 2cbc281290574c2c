/**
 * `node --import tsx bench/support/profile-diff.ts [seconds] [protocol] [--b]`:
 * where the CPU that always_on tracing adds to the shop goes. Starts two
 * shops (tracing off; always_on exporting to a discard sink over `protocol`,
 * the library default if omitted; with `--b`, setup B of the bench: to an
 * explorer, pinned as the bench pins B: the explorer alone on CPU 1, every
 * service and this process on CPU 0; with `--noexport`, always_on with no
 * exporter), each service under the V8 profiler
 * (cpu-prof.mjs), loads them in turn for `seconds` (default 20) each in
 * 5 s rounds, then prints self time per order by package / source file for
 * both and the difference, largest first. For docs/performance.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../packages/tracing/src/index.ts';
import { closedLoop } from './load.ts';
import { type BenchProtocol, type BenchShop, TRACING_OFF, exportTo, startBenchShop } from './shop.ts';
import { startExplorerProcess } from './explorer-process.ts';
import { pinSetupB, unpinSelf } from './proc.ts';
import { startDiscardSink } from './sink-process.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** A package, one of our source files, a Node internal area, or a V8 pseudo-frame. */
export function groupOf(frame: Node['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 13).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const m = /\/(packages|services)\/(.+)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

/** Self time in ms per group over every profile in `dir`, and busy (non-idle) ms per service. */
function selfByGroup(dir: string): { groups: Map<string, number>; services: Map<string, number> } {
  const out = new Map<string, number>();
  const services = new Map<string, number>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Profile;
    const service = f.replace(/-\d+\.cpuprofile$/, '');
    const group = new Map(p.nodes.map((n) => [n.id, groupOf(n.callFrame)]));
    p.samples.forEach((id, i) => {
      // The first sample's delta runs from Profiler.enable to the start signal: not work.
      if (i === 0) return;
      const g = group.get(id) ?? '?';
      const ms = (p.timeDeltas[i] ?? 0) / 1000;
      out.set(g, (out.get(g) ?? 0) + ms);
      if (g !== '(idle)') services.set(service, (services.get(service) ?? 0) + ms);
    });
  }
  return { groups: out, services };
}

async function main(): Promise<void> {
  const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
  const [secondsArg, protocolArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const seconds = Number(secondsArg ?? 20);
  const protocol = (protocolArg ?? resolveConfig({ serviceName: 'x' }, {}).protocol) as BenchProtocol;
  const setupB = flags.includes('--b');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-prof-'));
  const sink = await startDiscardSink();
  const explorer = setupB ? await startExplorerProcess(path.join(root, 'explorer-data')) : undefined;
  const prof = (name: string) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    return { NODE_OPTIONS: `--import ${new URL('./cpu-prof.mjs', import.meta.url).href}`, BENCH_CPU_PROF: dir, BENCH_CPU_PROF_START: 'signal' };
  };
  const receiver = explorer ?? sink;
  const endpoint = `http://127.0.0.1:${protocol === 'grpc' ? receiver.grpcPort : receiver.httpPort}`;
  const shops: Record<'off' | 'on', BenchShop> = {
    off: await startBenchShop({ ...TRACING_OFF, ...prof('off') }),
    // --noexport: spans are recorded (always_on) but no exporter runs: what span creation alone costs.
    on: await startBenchShop({
      ...(flags.includes('--noexport') ? { OTEL_TRACES_EXPORTER: 'none', OTEL_TRACES_SAMPLER: 'always_on' } : exportTo(endpoint, protocol)),
      ...prof('on'),
    }),
  };
  if (explorer) {
    pinSetupB(explorer.pid, [...shops.off.pids(), ...shops.on.pids()]);
  }
  const orders = { off: 0, on: 0 };
  const cpu = { off: 0, on: 0 };
  for (const k of ['off', 'on'] as const) await closedLoop(shops[k].gatewayUrl, 16, 3000);
  for (const pid of [...shops.off.pids(), ...shops.on.pids()]) process.kill(pid, 'SIGUSR2');
  for (let r = 0; r < Math.ceil(seconds / 5); r++) {
    for (const k of ['off', 'on'] as const) {
      const c0 = shops[k].cpuSeconds();
      orders[k] += (await closedLoop(shops[k].gatewayUrl, 16, 5000)).ok;
      cpu[k] += shops[k].cpuSeconds() - c0;
    }
  }
  unpinSelf();
  for (const k of ['off', 'on'] as const) await shops[k].close();
  await sink.stop();
  await explorer?.stop();
  const { groups: off, services: offSvc } = selfByGroup(path.join(root, 'off'));
  const { groups: on, services: onSvc } = selfByGroup(path.join(root, 'on'));
  const rows = [...new Set([...off.keys(), ...on.keys()])]
    .filter((g) => g !== '(idle)')
    .map((g) => ({ g, off: (1000 * (off.get(g) ?? 0)) / orders.off, on: (1000 * (on.get(g) ?? 0)) / orders.on }))
    .sort((x, y) => y.on - y.off - (x.on - x.off));
  const sum = (k: 'off' | 'on') => rows.reduce((n, r) => n + r[k], 0);
  process.stdout.write(`orders: off ${orders.off}, on ${orders.on} (${flags.includes('--noexport') ? 'no export' : protocol}${setupB ? ', setup B' : ''}${flags.includes('--worker') ? ', worker' : ''}); profiles in ${root}\n`);
  process.stdout.write(`service CPU-ms per order (/proc, all threads): off ${((1000 * cpu.off) / orders.off).toFixed(2)}, on ${((1000 * cpu.on) / orders.on).toFixed(2)}\n`);
  for (const svc of [...new Set([...offSvc.keys(), ...onSvc.keys()])].sort()) {
    const o = (1000 * (offSvc.get(svc) ?? 0)) / orders.off;
    const n = (1000 * (onSvc.get(svc) ?? 0)) / orders.on;
    process.stdout.write(`  ${svc}: busy µs per order off ${o.toFixed(0)}, on ${n.toFixed(0)} (+${(n - o).toFixed(0)})\n`);
  }
  process.stdout.write(`busy µs per order (all samples but idle, after warm-up): off ${sum('off').toFixed(0)}, on ${sum('on').toFixed(0)}\n`);
  process.stdout.write('group | off µs/order | on µs/order | added\n');
  for (const r of rows.slice(0, 40)) process.stdout.write(`${r.g} | ${r.off.toFixed(0)} | ${r.on.toFixed(0)} | ${(r.on - r.off).toFixed(0)}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
