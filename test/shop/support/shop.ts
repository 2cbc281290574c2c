/**
 * A whole shop for one test file: the five services as real processes on
 * free ports, a temp data dir, topic/queue names of its own on the shared
 * brokers, spans exported over OTLP/HTTP to an in-test sink.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LaunchOptions, type LogLine, type Shop, launchShop } from '../../../scripts/demo/launch.ts';
import { type OtlpSink, type SinkSpan, startOtlpSink } from '../../support/otlp-sink.ts';
import { deleteShopQueues } from '../../support/shop-queues.ts';

export interface TestShop {
  shop: Shop;
  sink: OtlpSink;
  dataDir: string;
  prefix: string;
  env: Record<string, string>;
  /** POSTs an order (JSON body unless `raw`); returns status and parsed body. */
  post(body: unknown, init?: { headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startTestShop(options: Partial<Pick<LaunchOptions, 'serviceEnv' | 'onLog'>> & { env?: Record<string, string> } = {}): Promise<TestShop> {
  const sink = await startOtlpSink();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-shop-'));
  const prefix = `tw-${randomUUID().slice(0, 8)}-`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    TOPIC_PREFIX: prefix,
    QUEUE_PREFIX: prefix,
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BSP_MAX_QUEUE_SIZE: '20000',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  let shop: Shop;
  try {
    shop = await launchShop({ env, ...(options.serviceEnv ? { serviceEnv: options.serviceEnv } : {}), ...(options.onLog ? { onLog: options.onLog } : {}) });
  } catch (error) {
    await sink.close();
    throw error;
  }
  return {
    shop,
    sink,
    dataDir,
    prefix,
    env,
    async post(body, init = {}) {
      const res = await fetch(`${shop.gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: init.raw ?? JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { raw: text };
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await shop.stop();
      await deleteShopQueues(prefix);
      await sink.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const validOrder = (i = 0) => ({
  customer_id: `cust-${i}`,
  product_id: ['sku-keyboard', 'sku-mouse', 'sku-monitor'][i % 3],
  quantity: 1 + (i % 3),
  amount: 19.99 + i,
});

/** The trace id of the gateway SERVER span that answered for `orderId`. */
export function traceOfOrder(spans: SinkSpan[], orderId: string): string | undefined {
  return spans.find((s) => s.service === 'gateway' && s.kind === 'SERVER' && s.attributes['order.id'] === orderId)?.traceId;
}

/** True once the order's trace holds both consumers' last spans. */
export function traceComplete(spans: SinkSpan[], traceId: string): boolean {
  const t = spans.filter((s) => s.traceId === traceId);
  return t.some((s) => s.name === 'send-sms') && t.some((s) => s.name === 'create-shipment');
}

/** Spans whose parent is not in the trace (the root excluded). */
export function orphans(trace: SinkSpan[]): SinkSpan[] {
  const ids = new Set(trace.map((s) => s.spanId));
  return trace.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId));
}

/**
 * Waits until `service` has logged a JSON line matching `pred` (from lines
 * collected through the shop's onLog) and returns it; the error lists what
 * the service did log.
 */
export async function waitForLogLine(
  logs: readonly LogLine[],
  service: string,
  pred: (json: Record<string, unknown>) => boolean,
  what: string,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = logs.find((l) => l.service === service && l.json !== undefined && pred(l.json));
    if (hit?.json) return hit.json;
    if (Date.now() > deadline) {
      throw new Error(`no ${service} log line: ${what}; ${service} said:\n${logs.filter((l) => l.service === service).map((l) => l.line).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
