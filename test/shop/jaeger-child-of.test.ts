/**
 * The shop's order traces as a CHILD_OF-only reader (Grafana's Jaeger data
 * source) sees them through the explorer's Jaeger v1 API: every order, the
 * happy path and the one whose deliveries are dead-lettered on both brokers,
 * is one tree with one root across HTTP, gRPC, Kafka and RabbitMQ.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Explorer, startExplorer } from '../../packages/explorer/src/index.ts';
import { type JaegerSpanLike, childOfTree } from '../support/child-of-tree.ts';
import { type TestShop, startTestShop, validOrder } from './support/shop.ts';

interface JaegerSpan extends JaegerSpanLike {
  processID: string;
  tags: Array<{ key: string; value: unknown }>;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const UNLUCKY = 'cust-unlucky';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-childof-'));
let explorer: Explorer;
let t: TestShop;
before(async () => {
  explorer = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0, onError: () => undefined });
  t = await startTestShop({
    env: {
      CHAOS_FAIL_CUSTOMER: UNLUCKY,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${explorer.httpPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    },
  });
});
after(async () => {
  await t?.close();
  await explorer?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function placeOrder(body: unknown): Promise<string> {
  const res = await fetch(`${t.shop.gatewayUrl}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 201, await res.text());
  const traceId = /^00-([0-9a-f]{32})-/.exec(res.headers.get('traceresponse') ?? '')?.[1];
  assert.ok(traceId, 'the gateway answers with a traceresponse header');
  return traceId;
}

/** Polls the explorer's Jaeger API until `complete` holds for the trace, then once more for stragglers. */
async function jaegerTrace(traceId: string, complete: (t: JaegerTrace) => boolean, what: string): Promise<JaegerTrace> {
  const deadline = Date.now() + 90_000;
  let last: JaegerTrace | undefined;
  while (Date.now() < deadline) {
    const res = await fetch(`${explorer.url}/api/traces/${traceId}`);
    if (res.ok) {
      last = ((await res.json()) as { data: JaegerTrace[] }).data[0];
      if (last && complete(last)) {
        await new Promise((r) => setTimeout(r, 1_000));
        const again = await fetch(`${explorer.url}/api/traces/${traceId}`);
        return ((await again.json()) as { data: JaegerTrace[] }).data[0] as JaegerTrace;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`trace ${traceId} never held ${what}; it has ${last?.spans.map((s) => s.operationName).join(', ') ?? 'nothing'}`);
}

const has = (trace: JaegerTrace, pred: (s: JaegerSpan) => boolean): boolean => trace.spans.some(pred);
const tag = (s: JaegerSpan, key: string): unknown => s.tags.find((x) => x.key === key)?.value;
const service = (trace: JaegerTrace, s: JaegerSpan): string | undefined => trace.processes[s.processID]?.serviceName;

function assertOneTree(trace: JaegerTrace): void {
  const tree = childOfTree(trace.spans);
  const describe = (s: JaegerSpanLike): string => `${service(trace, s as JaegerSpan)}:${s.operationName}`;
  assert.deepEqual(tree.roots.map(describe), ['gateway:POST /api/orders'], 'one root: the gateway SERVER span');
  assert.equal(tree.reachable, trace.spans.length, 'every span hangs below the root');
}

describe('the Jaeger v1 API read by a CHILD_OF-only reader (Grafana)', () => {
  it('an order is one tree with one root across HTTP, gRPC, Kafka and RabbitMQ', async () => {
    const traceId = await placeOrder(validOrder(1));
    const trace = await jaegerTrace(traceId, (tr) => has(tr, (s) => s.operationName === 'send-sms') && has(tr, (s) => s.operationName === 'create-shipment'), 'both consumers');
    assertOneTree(trace);
    const tree = childOfTree(trace.spans);
    for (const consumer of trace.spans.filter((s) => tag(s, 'span.kind') === 'consumer')) {
      const parent = trace.spans.find((s) => s.spanID === tree.parentOf.get(consumer.spanID));
      assert.equal(parent && tag(parent, 'span.kind'), 'producer', `${consumer.operationName} hangs below its producer`);
    }
  });

  it('an order whose deliveries fail and are dead-lettered on both brokers is still one tree', async () => {
    const traceId = await placeOrder({ ...validOrder(3), customer_id: UNLUCKY });
    const trace = await jaegerTrace(
      traceId,
      (tr) =>
        has(tr, (s) => tag(s, 'span.kind') === 'producer' && s.operationName.endsWith('order-events.dlq')) &&
        has(tr, (s) => service(tr, s) === 'shipping' && tag(s, 'tracewire.amqp.outcome') === 'nack'),
      'both dead-letterings',
    );
    assertOneTree(trace);
    assert.equal(trace.spans.filter((s) => service(trace, s) === 'notifications' && tag(s, 'span.kind') === 'consumer').length, 3, 'three Kafka attempts');
  });
});
