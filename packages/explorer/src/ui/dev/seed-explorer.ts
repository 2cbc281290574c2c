/**
 * Starts a real explorer on a temporary data directory and sends it the
 * fixture traces over OTLP/HTTP JSON, for looking at the UI with real
 * API responses: node --import tsx packages/explorer/src/ui/dev/seed-explorer.ts [uiPort]
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer } from '../../index.ts';
import type { ApiAttribute, TraceView } from '../../api-types.ts';
import { largeTrace, shopTrace } from './fixture.ts';

const KIND: Record<string, number> = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

function anyValue(kv: ApiAttribute): Record<string, unknown> {
  if (typeof kv.value === 'boolean') return { boolValue: kv.value };
  if (typeof kv.value === 'number') return Number.isInteger(kv.value) ? { intValue: String(kv.value) } : { doubleValue: kv.value };
  return { stringValue: String(kv.value) };
}

const attrs = (list: ApiAttribute[]) => list.map((kv) => ({ key: kv.key, value: anyValue(kv) }));

/** One OTLP/JSON export request per service of the trace. */
export function toOtlp(trace: TraceView, traceId = trace.traceId): unknown[] {
  const services = [...new Set(trace.spans.map((s) => s.service))];
  return services.map((service) => {
    const spans = trace.spans.filter((s) => s.service === service);
    return {
      resourceSpans: [{
        resource: { attributes: attrs(spans[0]!.resource) },
        scopeSpans: [{
          scope: { name: spans[0]!.scope.name, version: spans[0]!.scope.version },
          spans: spans.map((s) => ({
            traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            name: s.name,
            kind: KIND[s.kind] ?? 0,
            startTimeUnixNano: s.startNs,
            endTimeUnixNano: s.endNs,
            attributes: attrs(s.attributes),
            events: s.events.map((e) => ({ timeUnixNano: e.timeNs, name: e.name, attributes: attrs(e.attributes) })),
            links: s.links.map((l) => ({ traceId: l.traceId === trace.traceId ? traceId : l.traceId, spanId: l.spanId, attributes: attrs(l.attributes) })),
            status: s.status.code === 'ERROR' ? { code: 2, message: s.status.message } : {},
          })),
        }],
      }],
    };
  });
}

const dataDir = await mkdtemp(join(tmpdir(), 'tw-ui-seed-'));
const ex = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: Number(process.argv[2] ?? 16690) });
const traces = [shopTrace(), largeTrace(10_000)];
for (let i = 0; i < 30; i++) {
  const t = shopTrace(BigInt(Date.now() - i * 97_000) * 1_000_000n);
  traces.push({ ...t, traceId: `${i.toString(16).padStart(2, '0')}${t.traceId.slice(2)}` });
}
for (const t of traces) {
  for (const body of toOtlp(t)) {
    const res = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) console.error(res.status, await res.text());
  }
}
console.log(`explorer with fixture traces: ${ex.url}`);
process.once('SIGINT', () => void ex.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void ex.close().then(() => process.exit(0)));
