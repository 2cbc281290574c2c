/**
 * A whole shop for a bench: the five services as real processes (the same
 * launcher the demo and test/shop use), a temp data dir, topic/queue names of
 * its own on the shared brokers, tracing configured by `env`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Shop, launchShop } from '../../scripts/demo/launch.ts';
import { deleteShopQueues } from '../../test/support/shop-queues.ts';
import { cpuSeconds } from './proc.ts';

export interface BenchShop {
  shop: Shop;
  gatewayUrl: string;
  prefix: string;
  dataDir: string;
  /** CPU seconds used so far by the five service processes together. */
  cpuSeconds(): number;
  /** Process ids of the five services. */
  pids(): number[];
  close(): Promise<void>;
}

/** Tracing off: no exporter, and the sampler records nothing. */
export const TRACING_OFF = { OTEL_TRACES_EXPORTER: 'none', OTEL_TRACES_SAMPLER: 'always_off' };

export type BenchProtocol = 'grpc' | 'http/protobuf' | 'http/json';

/**
 * Export everything (or `ratio` of new traces, parent-based) over OTLP with
 * `protocol` to `endpoint` (an explorer or the bench's discard sink).
 */
export function exportTo(endpoint: string, protocol: BenchProtocol, ratio?: number): Record<string, string> {
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    ...(ratio === undefined
      ? { OTEL_TRACES_SAMPLER: 'always_on' }
      : { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(ratio) }),
  };
}

/** `exportTo` an explorer's OTLP/gRPC port. */
export function tracingTo(grpcPort: number, ratio?: number): Record<string, string> {
  return exportTo(`http://127.0.0.1:${grpcPort}`, 'grpc', ratio);
}

export async function startBenchShop(env: Record<string, string>): Promise<BenchShop> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-shop-'));
  const prefix = `twb-${randomUUID().slice(0, 8)}-`;
  let shop: Shop;
  try {
    shop = await launchShop({
      env: {
        DATA_DIR: dataDir,
        TOPIC_PREFIX: prefix,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        // BENCH_CPU_PROF=<dir>: every service writes a V8 CPU profile there when it exits.
        ...(process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--import ${new URL('./cpu-prof.mjs', import.meta.url).href}` } : {}),
        ...env,
      },
      readyTimeoutMs: 60_000,
    });
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    shop,
    gatewayUrl: shop.gatewayUrl,
    prefix,
    dataDir,
    cpuSeconds: () => [...shop.services.values()].reduce((n, s) => n + cpuSeconds(s.child.pid as number), 0),
    pids: () => [...shop.services.values()].map((s) => s.child.pid as number),
    async close() {
      await shop.stop();
      await deleteShopQueues(prefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const benchOrder = (i: number) => ({
  customer_id: `cust-${i % 1000}`,
  product_id: ['sku-keyboard', 'sku-mouse', 'sku-monitor', 'sku-headset', 'sku-webcam'][i % 5],
  quantity: 1,
  amount: 19.99 + (i % 100),
});
