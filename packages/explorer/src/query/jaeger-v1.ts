/**
 * Jaeger query v1 JSON (what Grafana's Jaeger data source and Jaeger UI read):
 * the `{data, total, limit, offset, errors}` wrapper, spans with microsecond
 * times, tags typed string/bool/int64/float64/binary, events as logs, the
 * parent as a CHILD_OF reference and links as FOLLOWS_FROM references. Span kind and status become the
 * `span.kind`, `otel.status_code`, `otel.status_description` and `error` tags,
 * as Jaeger's own OTLP translation does.
 */
import { type AnyValue, type KeyValue, type Scope, type SpanRecord, type StoredSpan, valueToPlain } from '../model.ts';
import type { AttrFilter, SearchQuery } from '../store/store.ts';
import { MAX_FILTERS, MAX_VALUE_CHARS, ParamError, checkLength, checkOrder, many, one, parseDuration, parseIntParam, parseMicros, startFromLookback } from './params.ts';
import { MAX_TRACE_SPANS, boundedSpans } from './trace-view.ts';

export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64' | 'binary';
  value: string | number | boolean;
}

export interface JaegerResponse<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: Array<{ code: number; msg: string; traceID?: string }> | null;
}

export function wrap<T>(data: T, total = Array.isArray(data) ? data.length : 0): JaegerResponse<T> {
  return { data, total, limit: 0, offset: 0, errors: null };
}

const KIND_TAG = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

function tag(key: string, v: AnyValue): JaegerTag {
  if (v.stringValue !== undefined) return { key, type: 'string', value: v.stringValue };
  if (v.boolValue !== undefined) return { key, type: 'bool', value: v.boolValue };
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return { key, type: 'int64', value: Number.isSafeInteger(n) ? n : v.intValue };
  }
  if (v.doubleValue !== undefined) return typeof v.doubleValue === 'number' ? { key, type: 'float64', value: v.doubleValue } : { key, type: 'string', value: v.doubleValue };
  if (v.bytesValue !== undefined) return { key, type: 'binary', value: v.bytesValue };
  // Jaeger has no array or map tag type: JSON text, as Jaeger's translator does.
  return { key, type: 'string', value: JSON.stringify(valueToPlain(v)) };
}

const tags = (list: KeyValue[]) => list.map((kv) => tag(kv.key, kv.value));
const micros = (ns: string) => Number(BigInt(ns) / 1000n);

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

/**
 * The parent is always CHILD_OF, first; every link is FOLLOWS_FROM. This is
 * Jaeger's own OTLP translation (opentelemetry-collector-contrib
 * pkg/translator/jaeger/traces_to_jaegerproto.go `makeJaegerProtoReferences`,
 * which jaeger's internal/jptrace/translator.go `ProtoFromTraces` calls), and
 * what readers need: Grafana's Jaeger data source takes a span's parent only
 * from a CHILD_OF reference, so a consumer's parent given as FOLLOWS_FROM
 * split every order into three roots at its Kafka and RabbitMQ hops.
 */
export function jaegerReferences(span: Pick<SpanRecord, 'traceId' | 'parentSpanId' | 'links'>): JaegerReference[] {
  const refs: JaegerReference[] = [];
  if (span.parentSpanId) refs.push({ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId });
  for (const l of span.links) refs.push({ refType: 'FOLLOWS_FROM', traceID: l.traceId, spanID: l.spanId });
  return refs;
}

/** Attributes, scope, kind and status as tags, as Jaeger's OTLP translator writes them. */
function spanTags(span: SpanRecord, scope: Scope): JaegerTag[] {
  const out = tags(span.attributes);
  if (scope.name) out.push({ key: 'otel.scope.name', type: 'string', value: scope.name });
  if (scope.version) out.push({ key: 'otel.scope.version', type: 'string', value: scope.version });
  if (span.kind > 0) out.push({ key: 'span.kind', type: 'string', value: KIND_TAG[span.kind] ?? '' });
  if (span.status.code === 1) out.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  if (span.status.code === 2) {
    out.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    out.push({ key: 'error', type: 'bool', value: true });
  }
  if (span.status.message) out.push({ key: 'otel.status_description', type: 'string', value: span.status.message });
  return out;
}

/**
 * A trace above `maxSpans` keeps its first spans by start time and says so in
 * the trace's `warnings` (Jaeger's JSON model: `Trace.warnings []string`).
 */
export function toJaegerTrace(traceId: string, stored: StoredSpan[], maxSpans = MAX_TRACE_SPANS) {
  const bounded = boundedSpans(stored, maxSpans);
  const processes: Record<string, { serviceName: string; tags: JaegerTag[] }> = {};
  const processIds = new Map<string, string>();
  const spans = bounded.spans.map(({ span, resource, scope, service }) => {
    const pKey = JSON.stringify(resource.attributes);
    let processID = processIds.get(pKey);
    if (!processID) {
      processID = `p${processIds.size + 1}`;
      processIds.set(pKey, processID);
      processes[processID] = { serviceName: service, tags: tags(resource.attributes.filter((a) => a.key !== 'service.name')) };
    }
    const references = jaegerReferences(span);
    const start = BigInt(span.startTimeUnixNano);
    const end = BigInt(span.endTimeUnixNano);
    return {
      traceID: traceId,
      spanID: span.spanId,
      operationName: span.name,
      references,
      flags: span.flags ?? 1,
      startTime: micros(span.startTimeUnixNano),
      duration: Number((end > start ? end - start : 0n) / 1000n),
      tags: spanTags(span, scope),
      logs: span.events.map((e) => ({
        timestamp: micros(e.timeUnixNano),
        fields: [{ key: 'event', type: 'string', value: e.name } as JaegerTag, ...tags(e.attributes)],
      })),
      processID,
      warnings: null,
    };
  });
  const t = bounded.truncated;
  const warnings = t ? [`trace truncated: showing the first ${t.servedSpans} of ${t.spanCount} spans by start time (the explorer serves at most ${maxSpans} spans of one trace)`] : null;
  return { traceID: traceId, spans, processes, warnings };
}

/** Jaeger's `tags` parameter: a JSON object, or logfmt `k=v k2="v 2"`; at most `max` pairs, each key and value at most MAX_VALUE_CHARS. */
export function parseJaegerTags(raw: string, max = MAX_FILTERS): AttrFilter[] {
  const out: AttrFilter[] = [];
  const add = (key: string, value: string) => {
    if (out.length >= max) throw new ParamError('tags', `tags may hold at most ${MAX_FILTERS} filters in one search`);
    out.push({ op: 'eq', key: checkLength('tags', key), value: checkLength('tags', value) });
  };
  const t = raw.trim();
  if (t.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      throw new ParamError('tags', 'tags must be a JSON object like {"http.status_code":"500"} or logfmt k=v');
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ParamError('tags', 'tags must be a JSON object');
    for (const [key, value] of Object.entries(obj)) add(key, String(value));
    return out;
  }
  const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/gy;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < t.length && (m = re.exec(t)) !== null) {
    add(m[1] as string, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
    pos = re.lastIndex;
  }
  if (pos < t.length) throw new ParamError('tags', 'tags must be a JSON object or logfmt k=v pairs');
  return out;
}

/** `tags` (JSON or logfmt) and `tag` (`key:value`, repeatable): at most MAX_FILTERS filters together. */
function parseJaegerFilters(p: URLSearchParams): AttrFilter[] {
  const out: AttrFilter[] = [];
  // A tags object holds up to MAX_FILTERS keys and values, so its text may be longer than one value.
  for (const t of many(p, 'tags', MAX_FILTERS, 2 * MAX_FILTERS * MAX_VALUE_CHARS)) out.push(...parseJaegerTags(t, MAX_FILTERS - out.length));
  for (const t of many(p, 'tag', MAX_FILTERS)) {
    const i = t.indexOf(':');
    if (i <= 0) throw new ParamError('tag', 'tag must be key:value');
    if (out.length >= MAX_FILTERS) throw new ParamError('tag', `tags and tag may hold at most ${MAX_FILTERS} filters together in one search`);
    out.push({ op: 'eq', key: t.slice(0, i), value: t.slice(i + 1) });
  }
  return out;
}

/** `/api/traces` parameters -> SearchQuery (times in microseconds, durations as Go strings). */
export function parseJaegerSearch(p: URLSearchParams, nowMs = Date.now()): SearchQuery {
  const q: SearchQuery = { attrs: parseJaegerFilters(p), limit: 20, offset: 0, sort: 'recent' };
  const service = one(p, 'service');
  if (service !== undefined) q.service = service;
  const operation = one(p, 'operation');
  if (operation !== undefined && operation !== 'all') q.operation = operation;
  const start = one(p, 'start');
  if (start !== undefined) q.startNs = parseMicros('start', start);
  const end = one(p, 'end');
  if (end !== undefined) q.endNs = parseMicros('end', end);
  if (q.startNs === undefined) {
    const lookback = one(p, 'lookback');
    if (lookback !== undefined && lookback !== 'custom') q.startNs = startFromLookback(q.endNs ?? BigInt(nowMs) * 1_000_000n, parseDuration('lookback', lookback));
  }
  const minD = one(p, 'minDuration');
  if (minD !== undefined) q.minDurationNs = parseDuration('minDuration', minD);
  const maxD = one(p, 'maxDuration');
  if (maxD !== undefined) q.maxDurationNs = parseDuration('maxDuration', maxD);
  checkOrder(q);
  const limit = one(p, 'limit');
  if (limit !== undefined) q.limit = parseIntParam('limit', limit, 0, 1500) || 20;
  return q;
}
