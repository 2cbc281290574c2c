/**
 * Realistic traces in the query API's shape, for developing the UI without
 * a running explorer and for the pure modules' tests: gateway -> orders
 * (gRPC) -> inventory, a Kafka hop to notifications, a RabbitMQ hop to
 * shipping, a batch consumer that links back, an exception, a hostile attribute.
 */
import type { ApiAttribute, ApiSpan, SpanKindName, TraceView } from '../../api-types.ts';

export const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';

let counter = 0;
function spanId(): string {
  counter += 1;
  return counter.toString(16).padStart(16, '0');
}

function kv(attrs: Record<string, string | number | boolean>): ApiAttribute[] {
  return Object.entries(attrs).map(([key, value]) => ({
    key,
    value,
    type: typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int' : 'double',
  }));
}

interface Draft {
  name: string;
  service: string;
  kind: SpanKindName;
  parent: ApiSpan | null;
  startMs: number;
  durMs: number;
  attrs?: Record<string, string | number | boolean>;
  error?: string;
  links?: { traceId: string; spanId: string }[];
  events?: ApiSpan['events'];
}

export function makeSpanFactory(traceStartNs: bigint) {
  const ns = (ms: number): string => (traceStartNs + BigInt(Math.round(ms * 1e6))).toString();
  return (d: Draft): ApiSpan => ({
    spanId: spanId(),
    parentSpanId: d.parent?.spanId ?? null,
    name: d.name,
    kind: d.kind,
    service: d.service,
    startNs: ns(d.startMs),
    endNs: ns(d.startMs + d.durMs),
    durationNs: String(Math.round(d.durMs * 1e6)),
    status: d.error ? { code: 'ERROR', message: d.error } : { code: 'UNSET' },
    attributes: kv(d.attrs ?? {}),
    resource: kv({ 'service.name': d.service, 'service.version': '1.4.2', 'host.name': `${d.service}-7f9c`, 'telemetry.sdk.language': 'nodejs' }),
    scope: { name: '@tracewire/tracing', version: '0.1.0' },
    events: d.events ?? [],
    links: (d.links ?? []).map((l) => ({ ...l, attributes: [] })),
  });
}

export const SHOP_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

export function shopTrace(startNs = BigInt(Date.now() - 120_000) * 1_000_000n): TraceView {
  const mk = makeSpanFactory(startNs);
  const root = mk({ name: 'POST /orders', service: 'gateway', kind: 'SERVER', parent: null, startMs: 0, durMs: 182.4,
    attrs: { 'http.request.method': 'POST', 'http.route': '/orders', 'http.response.status_code': 201, 'user.comment': HOSTILE } });
  const grpc = mk({ name: 'shop.Orders/PlaceOrder', service: 'gateway', kind: 'CLIENT', parent: root, startMs: 3.1, durMs: 120.5,
    attrs: { 'rpc.system': 'grpc', 'rpc.service': 'shop.Orders', 'rpc.method': 'PlaceOrder', 'server.address': 'orders' } });
  const ordersSrv = mk({ name: 'shop.Orders/PlaceOrder', service: 'orders', kind: 'SERVER', parent: grpc, startMs: 5, durMs: 116,
    attrs: { 'rpc.system': 'grpc', 'rpc.grpc.status_code': 0 } });
  const db = mk({ name: 'INSERT orders', service: 'orders', kind: 'CLIENT', parent: ordersSrv, startMs: 8, durMs: 14.2,
    attrs: { 'db.system': 'sqlite', 'db.query.text': 'INSERT INTO orders (id, sku, qty) VALUES (?, ?, ?)' } });
  const invClient = mk({ name: 'shop.Inventory/Reserve', service: 'orders', kind: 'CLIENT', parent: ordersSrv, startMs: 24, durMs: 61,
    attrs: { 'rpc.system': 'grpc', 'rpc.method': 'Reserve' } });
  const invSrv = mk({ name: 'shop.Inventory/Reserve', service: 'inventory', kind: 'SERVER', parent: invClient, startMs: 26, durMs: 57,
    attrs: { 'rpc.system': 'grpc', sku: 'SKU-1042', 'inventory.available': 3 }, error: 'reservation retried',
    events: [{ timeNs: (startNs + 40_000_000n).toString(), name: 'exception', attributes: kv({
      'exception.type': 'ConflictError', 'exception.message': 'row locked by another reservation',
      'exception.stacktrace': 'ConflictError: row locked by another reservation\n    at reserve (services/inventory/src/handlers/reserve.ts:42:11)\n    at async withSpan (packages/tracing/src/span.ts:58:20)\n    at async Server.handle (services/inventory/src/main.ts:31:5)' }) }] });
  const retry = mk({ name: 'UPDATE stock', service: 'inventory', kind: 'CLIENT', parent: invSrv, startMs: 52, durMs: 22, attrs: { 'db.system': 'sqlite' } });
  const kafkaSend = mk({ name: 'send order-events', service: 'orders', kind: 'PRODUCER', parent: ordersSrv, startMs: 90, durMs: 9,
    attrs: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': 'order-events', 'messaging.kafka.message.key': 'order-991' } });
  const kafkaProc = mk({ name: 'process order-events', service: 'notifications', kind: 'CONSUMER', parent: kafkaSend, startMs: 104, durMs: 64,
    attrs: { 'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'messaging.consumer.group.name': 'notifications', 'messaging.kafka.offset': 1182 } });
  const email = mk({ name: 'POST https://mail.internal/send', service: 'notifications', kind: 'CLIENT', parent: kafkaProc, startMs: 110, durMs: 51,
    attrs: { 'http.request.method': 'POST', 'http.response.status_code': 202 } });
  const amqpPub = mk({ name: 'publish shipping', service: 'orders', kind: 'PRODUCER', parent: ordersSrv, startMs: 100, durMs: 6,
    attrs: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'shipping', 'messaging.rabbitmq.destination.routing_key': 'ship.eu' } });
  const amqpProc = mk({ name: 'process shipping', service: 'shipping', kind: 'CONSUMER', parent: amqpPub, startMs: 112, durMs: 70,
    attrs: { 'messaging.system': 'rabbitmq', 'messaging.rabbitmq.message.delivery_tag': 7 } });
  const label = mk({ name: 'render label', service: 'shipping', kind: 'INTERNAL', parent: amqpProc, startMs: 118, durMs: 58 });
  const batch = mk({ name: 'process order-events (batch)', service: 'analytics', kind: 'CONSUMER', parent: null, startMs: 150, durMs: 28,
    attrs: { 'messaging.system': 'kafka', 'messaging.batch.message_count': 12 },
    links: [{ traceId: SHOP_TRACE_ID, spanId: kafkaSend.spanId }] });
  const resp = mk({ name: 'encode response', service: 'gateway', kind: 'INTERNAL', parent: root, startMs: 126, durMs: 4 });
  const spans = [root, grpc, ordersSrv, db, invClient, invSrv, retry, kafkaSend, kafkaProc, email, amqpPub, amqpProc, label, batch, resp];
  return response(SHOP_TRACE_ID, spans);
}

/** A trace of `n` spans: a fan-out of batches of calls, for the 10k-span responsiveness check. */
export function largeTrace(n: number, startNs = BigInt(Date.now() - 60_000) * 1_000_000n): TraceView {
  const mk = makeSpanFactory(startNs);
  const root = mk({ name: 'GET /report', service: 'gateway', kind: 'SERVER', parent: null, startMs: 0, durMs: 9_000 });
  const spans: ApiSpan[] = [root];
  const services = ['orders', 'inventory', 'pricing', 'shipping', 'notifications'];
  let parent = root;
  for (let i = 1; i < n; i++) {
    if (i % 50 === 1) {
      parent = mk({ name: `batch ${Math.floor(i / 50)}`, service: 'orders', kind: 'INTERNAL', parent: root, startMs: (i / n) * 8_000, durMs: 120 });
      spans.push(parent);
      continue;
    }
    const svc = services[i % services.length]!;
    spans.push(mk({ name: `lookup item ${i}`, service: svc, kind: i % 7 === 0 ? 'CLIENT' : 'INTERNAL', parent,
      startMs: (i / n) * 8_000 + (i % 5), durMs: 5 + (i % 40), error: i % 997 === 0 ? 'timeout' : undefined }));
  }
  return response('aa'.repeat(16), spans);
}

function response(traceId: string, spans: ApiSpan[]): TraceView {
  const counts = new Map<string, number>();
  for (const s of spans) counts.set(s.service, (counts.get(s.service) ?? 0) + 1);
  const min = spans.reduce((m, s) => (BigInt(s.startNs) < m ? BigInt(s.startNs) : m), BigInt(spans[0]!.startNs));
  const max = spans.reduce((m, s) => (BigInt(s.endNs) > m ? BigInt(s.endNs) : m), 0n);
  return {
    traceId,
    spans,
    criticalPath: [],
    summary: {
      durationNs: (max - min).toString(),
      depth: 0,
      spanCount: spans.length,
      errorCount: spans.filter((s) => s.status.code === 'ERROR').length,
      services: [...counts].map(([name, spanCount]) => ({ name, spanCount })),
    },
  };
}
