/**
 * A small, fully known data set for search tests: five traces (A-E) whose
 * services, kinds, statuses, attributes, durations and start times are chosen
 * so every filter selects a distinct subset.
 */
import { hex, postJson } from './helpers.ts';

const MS = 1_000_000n;

export interface SeedSpan {
  id: number;
  parent?: number;
  service: string;
  name: string;
  kind: number;
  startMs: number;
  durMs: number;
  error?: boolean;
  attrs?: Record<string, string | number>;
}

export interface SeedTrace {
  name: string;
  traceId: string;
  env: string;
  spans: SeedSpan[];
}

function kv(attrs: Record<string, string | number>) {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } }));
}

export function seedTraces(nowMs: number): SeedTrace[] {
  const t0 = nowMs - 10 * 60_000;
  const tid = (n: number) => `5eed${hex(n, 28)}`;
  return [
    {
      name: 'A', traceId: tid(1), env: 'prod',
      spans: [
        { id: 1, service: 'web', name: 'GET /cart', kind: 2, startMs: t0, durMs: 100, attrs: { 'http.route': '/cart', 'http.status_code': 200 } },
        { id: 2, parent: 1, service: 'web', name: 'GET', kind: 3, startMs: t0 + 10, durMs: 50, attrs: { 'http.request.method': 'GET' } },
        { id: 3, parent: 2, service: 'cart', name: 'cart.get', kind: 2, startMs: t0 + 12, durMs: 40 },
      ],
    },
    {
      name: 'B', traceId: tid(2), env: 'prod',
      spans: [
        { id: 1, service: 'web', name: 'GET /checkout', kind: 2, startMs: t0 + 60_000, durMs: 900, error: true, attrs: { 'http.route': '/checkout' } },
        { id: 2, parent: 1, service: 'web', name: 'payments/Charge', kind: 3, startMs: t0 + 60_010, durMs: 800, attrs: { 'rpc.system': 'grpc' } },
        { id: 3, parent: 2, service: 'payments', name: 'payments/Charge', kind: 2, startMs: t0 + 60_020, durMs: 700, error: true, attrs: { 'card.brand': 'visa' } },
        { id: 4, parent: 3, service: 'payments', name: 'fraud check', kind: 1, startMs: t0 + 60_030, durMs: 10 },
      ],
    },
    {
      name: 'C', traceId: tid(3), env: 'staging',
      spans: [
        { id: 1, service: 'orders', name: 'POST /orders', kind: 2, startMs: t0 + 120_000, durMs: 50 },
        { id: 2, parent: 1, service: 'orders', name: 'send orders', kind: 4, startMs: t0 + 120_005, durMs: 5, attrs: { 'messaging.system': 'kafka' } },
        { id: 3, parent: 2, service: 'worker', name: 'process orders', kind: 5, startMs: t0 + 120_020, durMs: 20, attrs: { 'messaging.system': 'kafka' } },
      ],
    },
    {
      name: 'D', traceId: tid(4), env: 'staging',
      spans: [
        { id: 1, service: 'web', name: 'GET /cart', kind: 2, startMs: t0 + 180_000, durMs: 300, error: true, attrs: { 'http.route': '/cart', 'http.status_code': 500 } },
      ],
    },
    {
      name: 'E', traceId: tid(5), env: 'prod',
      spans: [{ id: 1, service: 'web', name: 'GET /old', kind: 2, startMs: nowMs - 3 * 3_600_000, durMs: 10 }],
    },
  ];
}

export async function postSeed(httpPort: number, traces: SeedTrace[]): Promise<void> {
  for (const t of traces) {
    const byService = new Map<string, SeedSpan[]>();
    for (const s of t.spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    const body = {
      resourceSpans: [...byService].map(([service, spans]) => ({
        resource: { attributes: kv({ 'service.name': service, env: t.env }) },
        scopeSpans: [
          {
            scope: { name: 'seed' },
            spans: spans.map((s) => ({
              traceId: t.traceId,
              spanId: hex(s.id, 16),
              ...(s.parent ? { parentSpanId: hex(s.parent, 16) } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: String(BigInt(s.startMs) * MS),
              endTimeUnixNano: String(BigInt(s.startMs + s.durMs) * MS),
              attributes: kv(s.attrs ?? {}),
              status: s.error ? { code: 2, message: 'boom' } : {},
            })),
          },
        ],
      })),
    };
    const res = await postJson(httpPort, body);
    if (res.status !== 200) throw new Error(`seed ${t.name}: ${res.status} ${await res.text()}`);
  }
}
