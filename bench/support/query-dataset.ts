/**
 * A synthetic store for the query bench, shaped like microservice traffic:
 * traces of 8 spans over 3 of 10 services, 12 entry operations, a unique
 * order id per trace, 10,000 customers, 500 products, 1% errors. Trace ids
 * are a function of the trace's index, so the bench can pick stored ids
 * without reading them back. Written through the store's own batch-insert
 * API (SqliteStore.write, 20,000 spans per transaction) in a child process:
 * seeding over OTLP would only add the receiver's cost to a slow setup.
 */
import type { KeyValue, Resource, Scope, StoredSpan } from '../../packages/explorer/src/index.ts';
import type { SpanKindNumber } from '../../packages/explorer/src/model.ts';

export const SERVICES = ['gateway', 'orders', 'inventory', 'payments', 'shipping', 'notifications', 'search', 'users', 'cart', 'recommendations'];
export const ROUTES = ['GET /api/products', 'GET /api/products/:id', 'POST /api/orders', 'GET /api/orders/:id', 'POST /api/cart', 'GET /api/cart', 'POST /api/login', 'GET /api/search', 'POST /api/payments', 'GET /api/recommendations', 'PUT /api/users/:id', 'DELETE /api/cart/:id'];
export const SPANS_PER_TRACE = 8;
/** Traces start this far apart (100 traces/s of traffic). */
export const TRACE_STEP_MS = 10;

export interface DatasetMeta {
  spans: number;
  traces: number;
  firstStartMs: number;
  lastStartMs: number;
  seededMs: number;
  version: number;
}
export const DATASET_VERSION = 1;

export const traceIdOf = (i: number): string => `be${i.toString(16).padStart(30, '0')}`;
export const orderIdOf = (i: number): string => `ord-${i.toString(36).padStart(8, '0')}`;

const str = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): KeyValue => ({ key, value: { intValue: String(v) } });

const resources: Resource[] = SERVICES.map((s) => ({ attributes: [str('service.name', s), str('service.version', '1.4.2'), str('host.name', `node-${s}`), str('deployment.environment.name', 'prod')] }));
const scope: Scope = { name: '@tracewire/tracing', version: '0.1.0' };

/** The 8 spans of trace `i`, starting at `startMs`. */
export function traceSpans(i: number, startMs: number): StoredSpan[] {
  const traceId = traceIdOf(i);
  const a = i % SERVICES.length;
  const b = (a + 1 + (i % 3)) % SERVICES.length;
  const c = (b + 1 + (i % 4)) % SERVICES.length;
  const route = ROUTES[i % ROUTES.length] as string;
  const error = i % 100 === 0;
  const t0 = BigInt(startMs) * 1_000_000n + BigInt(i % 1000);
  let n = 0;
  const out: StoredSpan[] = [];
  const add = (svc: number, parent: string, name: string, kind: SpanKindNumber, offUs: number, durUs: number, attributes: KeyValue[], err = false): string => {
    const spanId = (i * SPANS_PER_TRACE + ++n).toString(16).padStart(16, '0');
    const start = t0 + BigInt(offUs) * 1000n;
    out.push({
      service: SERVICES[svc] as string,
      resource: resources[svc] as Resource,
      scope,
      span: {
        traceId, spanId, parentSpanId: parent, name, kind,
        startTimeUnixNano: String(start), endTimeUnixNano: String(start + BigInt(durUs) * 1000n),
        attributes, events: [], links: [], status: err ? { code: 2, message: 'upstream failed' } : { code: 0 },
      },
    });
    return spanId;
  };
  const dur = 2_000 + (i % 5_000);
  const root = add(a, '', route, 2, 0, dur, [str('http.request.method', route.split(' ')[0] as string), str('http.route', route.split(' ')[1] as string), int('http.response.status_code', error ? 500 : 200), str('order.id', orderIdOf(i)), str('customer.id', `cust-${i % 10_000}`)], error);
  const callB = add(a, root, `${SERVICES[b]}/Handle`, 3, 100, dur - 400, [str('rpc.system', 'grpc'), str('rpc.method', 'Handle'), str('server.address', SERVICES[b] as string)]);
  const serverB = add(b, callB, `${SERVICES[b]}/Handle`, 2, 150, dur - 500, [str('rpc.system', 'grpc'), str('product.id', `sku-${i % 500}`)], error);
  add(b, serverB, `SELECT ${SERVICES[b]}`, 3, 200, 300, [str('db.system.name', 'sqlite'), str('db.operation.name', 'SELECT'), str('db.query.text', `SELECT * FROM ${SERVICES[b]} WHERE id = ?`)]);
  const callC = add(b, serverB, `${SERVICES[c]}/Lookup`, 3, 600, 900, [str('rpc.system', 'grpc'), str('rpc.method', 'Lookup')]);
  add(c, callC, `${SERVICES[c]}/Lookup`, 2, 650, 800, [str('rpc.system', 'grpc'), int('items', i % 7)]);
  add(b, serverB, `send ${SERVICES[b]}-events`, 4, 1_600, 200, [str('messaging.system', 'kafka'), str('messaging.destination.name', `${SERVICES[b]}-events`), str('messaging.kafka.message.key', orderIdOf(i))]);
  add(a, root, 'render', 1, dur - 250, 200, [int('bytes', 100 + (i % 900))]);
  return out;
}
