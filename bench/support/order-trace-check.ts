/**
 * Is one order's trace complete and connected? The expected span set is the
 * one test/shop/order-trace.test.ts asserts for a single order: 18 spans over
 * five services, one root, every other span's parent in the trace. Retried
 * Kafka sends (ERROR) are allowed, as in test/shop/kafka-outage.test.ts, as
 * long as one send succeeded and the consumer side appears once.
 */
export interface CheckSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  service: string;
  status: { code: string };
  attributes: Array<{ key: string; value: unknown }>;
}

interface Expectation {
  what: string;
  match: (s: CheckSpan) => boolean;
  /** Exactly this many (default 1); 'some' = at least one. */
  count?: number | 'some';
}

export function expectedSpans(prefix: string): Expectation[] {
  const topic = `${prefix}order-events`;
  const exchange = `${prefix}orders`;
  const is = (service: string, kind: string, name: (n: string) => boolean) => (s: CheckSpan) => s.service === service && s.kind === kind && name(s.name);
  return [
    { what: 'gateway SERVER', match: is('gateway', 'SERVER', (n) => n === 'POST /api/orders') },
    { what: 'gateway CLIENT CreateOrder', match: is('gateway', 'CLIENT', (n) => n.endsWith('/CreateOrder')) },
    { what: 'orders SERVER CreateOrder', match: is('orders', 'SERVER', (n) => n.endsWith('/CreateOrder')) },
    { what: 'orders CLIENT CheckStock', match: is('orders', 'CLIENT', (n) => n.endsWith('/CheckStock')) },
    { what: 'inventory SERVER CheckStock', match: is('inventory', 'SERVER', (n) => n.endsWith('/CheckStock')) },
    { what: 'orders CLIENT Reserve', match: is('orders', 'CLIENT', (n) => n.endsWith('/Reserve')) },
    { what: 'inventory SERVER Reserve', match: is('inventory', 'SERVER', (n) => n.endsWith('/Reserve')) },
    { what: 'INSERT orders', match: (s) => s.service === 'orders' && s.name === 'INSERT orders' },
    { what: 'INSERT outbox x2', match: (s) => s.service === 'orders' && s.name === 'INSERT outbox', count: 2 },
    { what: 'Kafka send (ok)', match: (s) => s.kind === 'PRODUCER' && s.name === `send ${topic}` && s.status.code !== 'ERROR', count: 'some' },
    { what: 'notifications CONSUMER', match: is('notifications', 'CONSUMER', (n) => n === `process ${topic}`), count: 'some' },
    { what: 'process-notification', match: (s) => s.name === 'process-notification' },
    { what: 'send-email', match: (s) => s.name === 'send-email' },
    { what: 'send-sms', match: (s) => s.name === 'send-sms' },
    { what: 'RabbitMQ publish', match: (s) => s.kind === 'PRODUCER' && s.name === `publish ${exchange}` && s.status.code !== 'ERROR', count: 'some' },
    { what: 'shipping CONSUMER', match: is('shipping', 'CONSUMER', (n) => n === `process ${exchange}`), count: 'some' },
    { what: 'create-shipment', match: (s) => s.name === 'create-shipment' },
  ];
}

export interface TraceVerdict {
  complete: boolean;
  /** Expectations not met, e.g. "send-sms x0". */
  missing: string[];
  /** Spans expected once that appear more often (a redelivery): not incompleteness, reported apart. */
  extra: string[];
  orphans: number;
  roots: number;
}

export function checkOrderTrace(spans: CheckSpan[], prefix: string): TraceVerdict {
  const missing: string[] = [];
  const extra: string[] = [];
  for (const e of expectedSpans(prefix)) {
    const n = spans.filter(e.match).length;
    const want = e.count === 'some' ? 1 : (e.count ?? 1);
    if (n < want) missing.push(`${e.what} x${n}`);
    else if (e.count !== 'some' && n > want) extra.push(`${e.what} x${n}`);
  }
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId).length;
  const orphans = spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).length;
  return { complete: missing.length === 0 && orphans === 0 && roots === 1, missing, extra, orphans, roots };
}
