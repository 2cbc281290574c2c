/**
 * Pre-encoded OTLP/protobuf export requests, so a load sender spends its time
 * on sockets, not on encoding. The template is built once with the real SDK
 * and the real serializer (@opentelemetry/otlp-transformer's
 * ProtobufTraceSerializer, what the OTLP exporters send); each request then
 * gets fresh trace ids by overwriting the first 8 bytes of every trace id in
 * place, so the explorer sees new traces rather than merges into old ones.
 */
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export const SPANS_PER_TRACE = 8;

export interface OtlpTemplate {
  body: Buffer;
  spans: number;
  /** Byte offsets of every trace id in `body`. */
  traceIdOffsets: number[];
}

/**
 * One export request from `service`: `traces` traces of 8 spans (a SERVER
 * root, two CLIENT calls, a PRODUCER, INTERNAL work), 5-7 attributes each,
 * shaped like the shop's spans.
 */
export function buildTemplate(service: string, traces: number): OtlpTemplate {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': '0.1.0', 'host.name': 'bench', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench', '0.1.0');
  for (let t = 0; t < traces; t++) {
    const order = `ord-${t.toString(16).padStart(6, '0')}`;
    const root = tracer.startSpan('POST /api/orders', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'http.route': '/api/orders', 'http.response.status_code': 201, 'order.id': order, 'customer.id': `cust-${t % 97}` },
    });
    const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
    const child = (name: string, kind: SpanKind, attributes: Record<string, string | number | boolean>, parent = rootCtx) => {
      const s = tracer.startSpan(name, { kind, attributes }, parent);
      return { span: s, ctx: trace.setSpan(ROOT_CONTEXT, s) };
    };
    const create = child('tracewire.shop.v1.OrderService/CreateOrder', SpanKind.CLIENT, { 'rpc.system': 'grpc', 'rpc.service': 'OrderService', 'rpc.method': 'CreateOrder', 'server.address': '127.0.0.1', 'server.port': 50051 });
    const check = child('tracewire.shop.v1.InventoryService/CheckStock', SpanKind.CLIENT, { 'rpc.system': 'grpc', 'rpc.method': 'CheckStock', 'product.id': `sku-${t % 5}` }, create.ctx);
    const reserve = child('tracewire.shop.v1.InventoryService/Reserve', SpanKind.CLIENT, { 'rpc.system': 'grpc', 'rpc.method': 'Reserve', 'product.id': `sku-${t % 5}`, quantity: 1 + (t % 3) }, create.ctx);
    const insert = child('INSERT orders', SpanKind.CLIENT, { 'db.system.name': 'sqlite', 'db.operation.name': 'INSERT', 'db.collection.name': 'orders', 'db.query.text': 'INSERT INTO orders (order_id, customer_id) VALUES (?, ?)' }, create.ctx);
    const send = child('send order-events', SpanKind.PRODUCER, { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': 'order-events', 'messaging.kafka.message.key': order }, create.ctx);
    const validate = child('validate-order', SpanKind.INTERNAL, { 'order.id': order, 'order.amount': 19.99 + t, valid: true });
    const respond = child('render-response', SpanKind.INTERNAL, { 'http.response.body.size': 96 + (t % 13) });
    for (const s of [check, reserve, insert, send, create, validate, respond]) s.span.end();
    root.end();
  }
  const spans = exporter.getFinishedSpans();
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
  const traceIdOffsets: number[] = [];
  for (const id of new Set(spans.map((s) => s.spanContext().traceId))) {
    const needle = Buffer.from(id, 'hex');
    for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) traceIdOffsets.push(at);
  }
  void provider.shutdown();
  if (traceIdOffsets.length !== spans.length) throw new Error(`found ${traceIdOffsets.length} trace ids for ${spans.length} spans`);
  return { body, spans: spans.length, traceIdOffsets };
}

/**
 * A copy of the template whose traces have new ids unique to (`sender`, `seq`).
 * A copy (a memcpy) because a socket may still hold the previous body.
 */
export function stampTraceIds(template: OtlpTemplate, sender: number, seq: number): Buffer {
  const body = Buffer.from(template.body);
  const { traceIdOffsets } = template;
  for (const at of traceIdOffsets) {
    body.writeUInt16BE(0xbe00 | (sender & 0xff), at);
    body.writeUIntBE(seq, at + 2, 6);
  }
  return body;
}
