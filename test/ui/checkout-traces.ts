/**
 * Two runs of one checkout for the trace-view tests: A is the baseline; in B
 * load-cart and its SELECT cart are slower (and SELECT cart fails), SELECT
 * prices and the cache lookup are gone, api audit is new and render is faster.
 * Span ids are 0xa01.. in A and 0xb01.. in B. Times in ms from one minute ago.
 */
import { hex } from '../explorer/helpers.ts';

export const TRACE_A = hex(0xaaa1, 32);
export const TRACE_B = hex(0xbbb2, 32);

type Row = [id: number, parent: number | null, service: string, name: string, startMs: number, endMs: number, error?: boolean];

const A: Row[] = [
  [1, null, 'web', 'GET /checkout', 0, 120],
  [2, 1, 'web', 'auth', 2, 10],
  [3, 1, 'api', 'load-cart', 12, 60],
  [4, 3, 'db', 'SELECT cart', 14, 30],
  [5, 3, 'db', 'SELECT prices', 32, 50],
  [6, 1, 'payments', 'charge', 62, 110],
  [7, 6, 'payments', 'fraud-check', 65, 80],
  [8, 6, 'bank', 'authorize', 82, 108],
  [9, 1, 'web', 'render', 111, 118],
  [10, 1, 'cache', 'get', 20, 28],
];

const B: Row[] = [
  [1, null, 'web', 'GET /checkout', 0, 210],
  [2, 1, 'web', 'auth', 2, 10],
  [3, 1, 'api', 'load-cart', 12, 150],
  [4, 3, 'db', 'SELECT cart', 14, 140, true],
  [6, 1, 'payments', 'charge', 152, 200],
  [7, 6, 'payments', 'fraud-check', 155, 170],
  [8, 6, 'bank', 'authorize', 172, 198],
  [9, 1, 'web', 'render', 202, 205],
  [10, 1, 'api', 'audit', 201, 208],
];

const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
const at = (ms: number): string => String(t0 + BigInt(ms) * 1_000_000n);

/** An OTLP/JSON ExportTraceServiceRequest for run A or B, one resource per service. */
export function checkoutRequest(which: 'a' | 'b', traceId = which === 'a' ? TRACE_A : TRACE_B): { resourceSpans: unknown[] } {
  const rows = which === 'a' ? A : B;
  const base = which === 'a' ? 0xa00 : 0xb00;
  const services = [...new Set(rows.map((r) => r[2]))];
  return {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'checkout-test' },
        spans: rows.filter((r) => r[2] === service).map(([id, parent, , name, start, end, error]) => ({
          traceId, spanId: hex(base + id, 16), parentSpanId: parent === null ? '' : hex(base + parent, 16), name,
          kind: parent === null ? 2 : 1, startTimeUnixNano: at(start), endTimeUnixNano: at(end),
          ...(error ? { status: { code: 2, message: 'deadlock detected' } } : {}),
        })),
      }],
    })),
  };
}
