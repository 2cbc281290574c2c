/**
 * A real OTLP/HTTP JSON receiver for cross-process tests: services export to
 * it over a socket exactly as they would to a collector, and tests read back
 * flat spans. Only JSON is decoded here; the explorer handles every encoding.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type SpanKindName = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';
export type AttrValue = string | number | boolean | AttrValue[] | null;

export interface SinkSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKindName;
  service: string;
  attributes: Record<string, AttrValue>;
  status: { code: 'UNSET' | 'OK' | 'ERROR'; message?: string };
  events: Array<{ name: string; attributes: Record<string, AttrValue> }>;
  links: Array<{ traceId: string; spanId: string }>;
  startNs: bigint;
  endNs: bigint;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

const KINDS: SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'] as const;

function value(v: OtlpAnyValue): AttrValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  return null;
}

function attrs(list: OtlpKeyValue[] | undefined): Record<string, AttrValue> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

export interface OtlpSink {
  /** Base URL to use as OTEL_EXPORTER_OTLP_ENDPOINT (with protocol http/json). */
  readonly url: string;
  spans(): SinkSpan[];
  trace(traceId: string): SinkSpan[];
  /** Resolves once `predicate` holds for the collected spans; rejects after `timeoutMs`. */
  waitFor(predicate: (spans: SinkSpan[]) => boolean, timeoutMs?: number, what?: string): Promise<SinkSpan[]>;
  clear(): void;
  close(): Promise<void>;
}

export async function startOtlpSink(port = 0): Promise<OtlpSink> {
  const collected: SinkSpan[] = [];
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: Array<{
            resource?: { attributes?: OtlpKeyValue[] };
            scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
          }>;
        };
        for (const rs of body.resourceSpans ?? []) {
          const service = String(attrs(rs.resource?.attributes)['service.name'] ?? '');
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              const status = (s.status ?? {}) as { code?: number; message?: string };
              collected.push({
                traceId: String(s.traceId),
                spanId: String(s.spanId),
                parentSpanId: s.parentSpanId ? String(s.parentSpanId) : undefined,
                name: String(s.name),
                kind: KINDS[Number(s.kind ?? 0)] ?? 'UNSPECIFIED',
                service,
                attributes: attrs(s.attributes as OtlpKeyValue[]),
                status: { code: STATUS[status.code ?? 0] ?? 'UNSET', ...(status.message ? { message: status.message } : {}) },
                events: ((s.events as Array<{ name: string; attributes?: OtlpKeyValue[] }>) ?? []).map((e) => ({
                  name: e.name,
                  attributes: attrs(e.attributes),
                })),
                links: ((s.links as Array<{ traceId: string; spanId: string }>) ?? []).map((l) => ({
                  traceId: l.traceId,
                  spanId: l.spanId,
                })),
                startNs: BigInt(String(s.startTimeUnixNano ?? 0)),
                endNs: BigInt(String(s.endTimeUnixNano ?? 0)),
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        for (const w of waiters) w();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${bound}`,
    spans: () => [...collected],
    trace: (traceId) => collected.filter((s) => s.traceId === traceId),
    clear: () => {
      collected.length = 0;
    },
    waitFor(predicate, timeoutMs = 20_000, what = 'expected spans') {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (predicate(collected)) {
            cleanup();
            resolve([...collected]);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; have ${collected.length} spans: ${collected.map((s) => `${s.service}:${s.name}`).join(', ')}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
