/**
 * The OTLP decoding rules, apart from the wire format: an
 * ExportTraceServiceRequest as a parsed object (protobuf JSON mapping, camel
 * or snake case, ids as hex or bytes) becomes stored spans. Structural
 * garbage throws `MalformedPayloadError`; a span with invalid ids or
 * timestamps is rejected alone and counted, as partial success allows
 * (https://opentelemetry.io/docs/specs/otlp/#partial-success).
 *
 * No Node APIs and no protobufjs: the web UI bundles this module to open
 * OTLP JSON files in the browser by the same rules the receivers apply.
 */
import { type AnyValue, type KeyValue, type Resource, type Scope, type SpanRecord, type StoredSpan, serviceOf } from '../model.ts';
import { type SpanLimits, DEFAULT_LIMITS } from './limits.ts';

export class MalformedPayloadError extends Error {
  override name = 'MalformedPayloadError';
}

export interface DecodeResult {
  spans: StoredSpan[];
  rejected: number;
  /** Human-readable reasons (rejections and truncations), a few at most. */
  messages: string[];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function bytesToHex(v: Uint8Array): string {
  let out = '';
  for (let i = 0; i < v.length; i++) out += HEX[v[i] as number];
  return out;
}

/** Base64 in chunks: one String.fromCharCode call per 32 KiB keeps large values under the argument limit. */
function bytesToBase64(v: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < v.length; i += 0x8000) bin += String.fromCharCode(...v.subarray(i, i + 0x8000));
  return btoa(bin);
}

export type Loose = Record<string, unknown>;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const UINT64 = /^\d{1,20}$/;
const MAX_U64 = 18446744073709551615n;

export function isObj(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Protobuf JSON mapping: parsers accept lowerCamelCase and the original snake_case names. */
function field(o: Loose, camel: string): unknown {
  if (camel in o) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return o[snake];
}

function list(o: Loose, camel: string, where: string): unknown[] {
  const v = field(o, camel);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedPayloadError(`${where}.${camel} must be an array`);
  return v;
}

function objAt(v: unknown, where: string): Loose {
  if (!isObj(v)) throw new MalformedPayloadError(`${where} must be an object`);
  return v;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function u32(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Ids arrive as bytes (protobuf) or hex strings (OTLP/JSON); '' when absent. */
function idHex(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Uint8Array) return bytesToHex(v);
  if (typeof v === 'string') return v.toLowerCase();
  return '\u0000invalid';
}

const MAX_I64 = 2n ** 63n - 1n;

function u64(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return '0';
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined;
  if (typeof v === 'string' && UINT64.test(v)) return BigInt(v) <= MAX_U64 ? BigInt(v).toString() : undefined;
  return undefined;
}

function enumValue(v: unknown, names: readonly string[], prefix: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v >= 0 && v < names.length ? v : 0;
  if (typeof v === 'string') {
    const i = names.indexOf(v.startsWith(prefix) ? v.slice(prefix.length) : v);
    return i >= 0 ? i : 0;
  }
  return 0;
}

class Normalizer {
  truncated = 0;
  constructor(private readonly limits: SpanLimits) {}

  text(v: string): string {
    if (v.length <= this.limits.maxValueLength) return v;
    this.truncated++;
    return v.slice(0, this.limits.maxValueLength);
  }

  value(raw: unknown, depth: number): AnyValue {
    if (!isObj(raw)) return {};
    if (depth > this.limits.maxValueDepth) {
      this.truncated++;
      return {};
    }
    const s = field(raw, 'stringValue');
    if (typeof s === 'string') return { stringValue: this.text(s) };
    const b = field(raw, 'boolValue');
    if (typeof b === 'boolean') return { boolValue: b };
    const i = field(raw, 'intValue');
    if (i !== undefined && i !== null) {
      const n = typeof i === 'number' ? (Number.isSafeInteger(i) ? String(i) : undefined) : typeof i === 'string' && /^-?\d{1,19}$/.test(i) ? i : undefined;
      if (n === undefined) throw new MalformedPayloadError(`invalid intValue ${JSON.stringify(String(i))}`);
      return { intValue: n };
    }
    const d = field(raw, 'doubleValue');
    if (typeof d === 'number') return { doubleValue: Number.isFinite(d) ? d : String(d) };
    if (typeof d === 'string') {
      const n = Number(d);
      return { doubleValue: Number.isFinite(n) ? n : d === 'NaN' || d === 'Infinity' || d === '-Infinity' ? d : 0 };
    }
    const arr = field(raw, 'arrayValue');
    if (isObj(arr)) return { arrayValue: { values: list(arr, 'values', 'arrayValue').map((x) => this.value(x, depth + 1)) } };
    const kvl = field(raw, 'kvlistValue');
    if (isObj(kvl)) return { kvlistValue: { values: this.attrs(list(kvl, 'values', 'kvlistValue'), depth + 1).kept } };
    const by = field(raw, 'bytesValue');
    if (by instanceof Uint8Array) return { bytesValue: this.text(bytesToBase64(by)) };
    if (typeof by === 'string') return { bytesValue: this.text(by) };
    return {};
  }

  attrs(raw: unknown[], depth = 0): { kept: KeyValue[]; dropped: number } {
    const kept: KeyValue[] = [];
    let dropped = 0;
    for (const item of raw) {
      const kv = objAt(item, 'attribute');
      const key = field(kv, 'key');
      if (typeof key !== 'string') throw new MalformedPayloadError('attribute key must be a string');
      if (kept.length >= this.limits.maxAttributes) {
        dropped++;
        continue;
      }
      kept.push({ key, value: this.value(field(kv, 'value'), depth) });
    }
    return { kept, dropped };
  }
}

function droppedTotal(explicit: unknown, extra: number): number | undefined {
  const total = (u32(explicit) ?? 0) + extra;
  return total > 0 ? total : undefined;
}

/** An ExportTraceServiceRequest already parsed (JSON.parse, or protobufjs `toObject`) into stored spans. */
export function normalizeRequest(req: Loose, limits: SpanLimits = DEFAULT_LIMITS): DecodeResult {
  const n = new Normalizer(limits);
  const out: StoredSpan[] = [];
  const messages: string[] = [];
  let rejected = 0;
  const reject = (why: string) => {
    rejected++;
    if (messages.length < 5) messages.push(why);
  };

  for (const rsRaw of list(req, 'resourceSpans', 'request')) {
    const rs = objAt(rsRaw, 'resourceSpans[]');
    const resRaw = field(rs, 'resource');
    const resObj = isObj(resRaw) ? resRaw : {};
    const ra = n.attrs(list(resObj, 'attributes', 'resource'));
    const resource: Resource = { attributes: ra.kept };
    const rd = droppedTotal(field(resObj, 'droppedAttributesCount'), ra.dropped);
    if (rd) resource.droppedAttributesCount = rd;
    const rsUrl = str(field(rs, 'schemaUrl'));
    if (rsUrl) resource.schemaUrl = rsUrl;
    const service = serviceOf(resource);

    for (const ssRaw of list(rs, 'scopeSpans', 'resourceSpans')) {
      const ss = objAt(ssRaw, 'scopeSpans[]');
      const scRaw = field(ss, 'scope');
      const sc = isObj(scRaw) ? scRaw : {};
      const scope: Scope = { name: str(field(sc, 'name')) ?? '' };
      const version = str(field(sc, 'version'));
      if (version) scope.version = version;
      const scAttrs = n.attrs(list(sc, 'attributes', 'scope')).kept;
      if (scAttrs.length) scope.attributes = scAttrs;
      const ssUrl = str(field(ss, 'schemaUrl'));
      if (ssUrl) scope.schemaUrl = ssUrl;

      for (const spanRaw of list(ss, 'spans', 'scopeSpans')) {
        const sp = objAt(spanRaw, 'span');
        const span = normalizeSpan(sp, n, limits, reject);
        if (span) out.push({ span, resource, scope, service });
      }
    }
  }
  if (n.truncated > 0 && messages.length < 5) messages.push(`${n.truncated} attribute values truncated or emptied by limits`);
  return { spans: out, rejected, messages };
}

function normalizeSpan(sp: Loose, n: Normalizer, limits: SpanLimits, reject: (why: string) => void): SpanRecord | undefined {
  const traceId = idHex(field(sp, 'traceId'));
  const spanId = idHex(field(sp, 'spanId'));
  const parentSpanId = idHex(field(sp, 'parentSpanId'));
  if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) return void reject(`span with invalid traceId ${JSON.stringify(traceId.slice(0, 40))}`);
  if (!SPAN_ID.test(spanId) || /^0+$/.test(spanId)) return void reject(`span with invalid spanId ${JSON.stringify(spanId.slice(0, 40))}`);
  if (parentSpanId !== '' && !SPAN_ID.test(parentSpanId)) return void reject(`span ${spanId} has an invalid parentSpanId`);
  const start = u64(field(sp, 'startTimeUnixNano'));
  const end = u64(field(sp, 'endTimeUnixNano'));
  if (start === undefined || end === undefined) return void reject(`span ${spanId} has an invalid timestamp`);
  // OTLP times are fixed64, the store's are SQLite int64: past 2^63-1 (year 2262) the
  // insert throws and would fail every export grouped into the same transaction.
  if (BigInt(start) > MAX_I64 || BigInt(end) > MAX_I64) return void reject(`span ${spanId} has a timestamp after the year 2262`);

  const attrs = n.attrs(list(sp, 'attributes', 'span'));
  const eventsRaw = list(sp, 'events', 'span');
  const events = eventsRaw.slice(0, limits.maxEvents).map((eRaw) => {
    const e = objAt(eRaw, 'event');
    const ea = n.attrs(list(e, 'attributes', 'event'));
    const ev: SpanRecord['events'][number] = {
      timeUnixNano: u64(field(e, 'timeUnixNano')) ?? '0',
      name: n.text(str(field(e, 'name')) ?? ''),
      attributes: ea.kept,
    };
    const d = droppedTotal(field(e, 'droppedAttributesCount'), ea.dropped);
    if (d) ev.droppedAttributesCount = d;
    return ev;
  });
  const linksRaw = list(sp, 'links', 'span');
  const links: SpanRecord['links'] = [];
  let badLinks = 0;
  for (const lRaw of linksRaw.slice(0, limits.maxLinks)) {
    const l = objAt(lRaw, 'link');
    const lt = idHex(field(l, 'traceId'));
    const ls = idHex(field(l, 'spanId'));
    if (!TRACE_ID.test(lt) || !SPAN_ID.test(ls)) {
      badLinks++;
      continue;
    }
    const la = n.attrs(list(l, 'attributes', 'link'));
    const link: SpanRecord['links'][number] = { traceId: lt, spanId: ls, attributes: la.kept };
    const ts = str(field(l, 'traceState'));
    if (ts) link.traceState = ts;
    const d = droppedTotal(field(l, 'droppedAttributesCount'), la.dropped);
    if (d) link.droppedAttributesCount = d;
    const flags = u32(field(l, 'flags'));
    if (flags) link.flags = flags;
    links.push(link);
  }
  const stRaw = field(sp, 'status');
  const st = isObj(stRaw) ? stRaw : {};
  const status: SpanRecord['status'] = {
    code: enumValue(field(st, 'code'), ['UNSET', 'OK', 'ERROR'], 'STATUS_CODE_') as SpanRecord['status']['code'],
  };
  const message = str(field(st, 'message'));
  if (message) status.message = n.text(message);

  const span: SpanRecord = {
    traceId,
    spanId,
    parentSpanId,
    name: n.text(str(field(sp, 'name')) ?? ''),
    kind: enumValue(field(sp, 'kind'), ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'], 'SPAN_KIND_') as SpanRecord['kind'],
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: attrs.kept,
    events,
    links,
    status,
  };
  const traceState = str(field(sp, 'traceState'));
  if (traceState) span.traceState = traceState;
  const flags = u32(field(sp, 'flags'));
  if (flags) span.flags = flags;
  const da = droppedTotal(field(sp, 'droppedAttributesCount'), attrs.dropped);
  if (da) span.droppedAttributesCount = da;
  const de = droppedTotal(field(sp, 'droppedEventsCount'), Math.max(0, eventsRaw.length - limits.maxEvents));
  if (de) span.droppedEventsCount = de;
  const dl = droppedTotal(field(sp, 'droppedLinksCount'), Math.max(0, linksRaw.length - limits.maxLinks) + badLinks);
  if (dl) span.droppedLinksCount = dl;
  return span;
}
