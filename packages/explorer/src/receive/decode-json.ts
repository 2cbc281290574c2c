/**
 * OTLP/JSON ExportTraceServiceRequest -> stored spans
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): hex ids,
 * enums as numbers or names, 64-bit integers as strings or bare numbers (kept
 * exact, see json-scan.ts), lowerCamelCase or snake_case field names. The
 * parsed tree is walked with the same limits as protobuf; the only recursion,
 * into nested values, stops at `maxValueDepth`.
 */
import { type AnyValue, type KeyValue, type Resource, type Scope, type SpanRecord, serviceOf } from '../model.ts';
import { DecodeContext, type DecodeResult, MalformedPayloadError, type Owner } from './decode-context.ts';
import { prepareJson } from './json-scan.ts';
import type { SpanLimits } from './limits.ts';
import { type Loose, enumValue, field, idHex, int64, isObj, list, objAt, str, u32, u64 } from './json-fields.ts';

export function decodeJsonRequest(text: string, limits: SpanLimits): DecodeResult {
  let obj: unknown;
  try {
    obj = JSON.parse(prepareJson(text, limits.maxJsonContainers));
  } catch (err) {
    if (err instanceof MalformedPayloadError) throw err;
    throw new MalformedPayloadError(`invalid JSON: ${(err as Error).message}`);
  }
  return decodeJsonObject(obj, limits);
}

/** An already parsed request (the UI parses files of several requests itself). */
export function decodeJsonObject(obj: unknown, limits: SpanLimits): DecodeResult {
  if (!isObj(obj)) throw new MalformedPayloadError('the body must be a JSON object with resourceSpans');
  const ctx = new DecodeContext(limits);
  for (const rsRaw of list(obj, 'resourceSpans', 'request')) readResourceSpans(objAt(rsRaw, 'resourceSpans[]'), ctx);
  return ctx.result();
}

function optText(ctx: DecodeContext, v: unknown): string | undefined {
  const s = str(v);
  return s ? ctx.text(s) : undefined;
}

function readResourceSpans(rs: Loose, ctx: DecodeContext): void {
  const resRaw = field(rs, 'resource');
  const resObj = isObj(resRaw) ? resRaw : {};
  const ra = attributes(ctx, list(resObj, 'attributes', 'resource'), ctx.newOwner());
  const resource: Resource = { attributes: ra.kept };
  const rd = (u32(field(resObj, 'droppedAttributesCount')) ?? 0) + ra.dropped;
  if (rd) resource.droppedAttributesCount = rd;
  const rsUrl = optText(ctx, field(rs, 'schemaUrl'));
  if (rsUrl) resource.schemaUrl = rsUrl;
  const service = serviceOf(resource);

  for (const ssRaw of list(rs, 'scopeSpans', 'resourceSpans')) {
    const ss = objAt(ssRaw, 'scopeSpans[]');
    const scRaw = field(ss, 'scope');
    const sc = isObj(scRaw) ? scRaw : {};
    const scope: Scope = { name: optText(ctx, field(sc, 'name')) ?? '' };
    const version = optText(ctx, field(sc, 'version'));
    if (version) scope.version = version;
    const scAttrs = attributes(ctx, list(sc, 'attributes', 'scope'), ctx.newOwner()).kept;
    if (scAttrs.length) scope.attributes = scAttrs;
    const ssUrl = optText(ctx, field(ss, 'schemaUrl'));
    if (ssUrl) scope.schemaUrl = ssUrl;

    for (const spanRaw of list(ss, 'spans', 'scopeSpans')) {
      const sp = objAt(spanRaw, 'span');
      if (!ctx.spanSlot()) continue;
      const span = readSpan(sp, ctx);
      if (span) ctx.spans.push({ span, resource, scope, service });
    }
  }
}

function value(ctx: DecodeContext, raw: unknown, owner: Owner, depth: number): AnyValue {
  if (!isObj(raw)) return {};
  if (depth > ctx.limits.maxValueDepth) {
    ctx.truncate();
    return {};
  }
  const s = field(raw, 'stringValue');
  if (typeof s === 'string') return { stringValue: ctx.text(s) };
  const b = field(raw, 'boolValue');
  if (typeof b === 'boolean') return { boolValue: b };
  const i = field(raw, 'intValue');
  if (i !== undefined && i !== null) return { intValue: int64(i) };
  const d = field(raw, 'doubleValue');
  if (typeof d === 'number') return { doubleValue: Number.isFinite(d) ? d : String(d) };
  if (typeof d === 'string') {
    const n = Number(d);
    return { doubleValue: Number.isFinite(n) ? n : d === 'NaN' || d === 'Infinity' || d === '-Infinity' ? d : 0 };
  }
  const arr = field(raw, 'arrayValue');
  if (isObj(arr)) {
    const values: AnyValue[] = [];
    for (const x of list(arr, 'values', 'arrayValue')) {
      if (ctx.takeItem(owner)) values.push(value(ctx, x, owner, depth + 1));
      else ctx.truncate();
    }
    return { arrayValue: { values } };
  }
  const kvl = field(raw, 'kvlistValue');
  if (isObj(kvl)) return { kvlistValue: { values: attributes(ctx, list(kvl, 'values', 'kvlistValue'), owner, depth + 1, true).kept } };
  const by = field(raw, 'bytesValue');
  if (typeof by === 'string') return { bytesValue: ctx.text(by) };
  return {};
}

/** Attributes (or kvlist entries when `nested`) within the owner's budget; the rest are counted. */
function attributes(ctx: DecodeContext, raw: unknown[], owner: Owner, depth = 0, nested = false): { kept: KeyValue[]; dropped: number } {
  const kept: KeyValue[] = [];
  let dropped = 0;
  for (const item of raw) {
    const kv = objAt(item, 'attribute');
    const key = field(kv, 'key');
    if (typeof key !== 'string') throw new MalformedPayloadError('attribute key must be a string');
    if (!ctx.takeItem(owner)) {
      if (nested) ctx.truncate();
      else dropped++;
      continue;
    }
    kept.push({ key: ctx.text(key), value: value(ctx, field(kv, 'value'), owner, depth) });
  }
  return { kept, dropped };
}

function dropped(explicit: unknown, extra: number): number | undefined {
  const total = (u32(explicit) ?? 0) + extra;
  return total > 0 ? total : undefined;
}

function readEvents(sp: Loose, ctx: DecodeContext): { events: SpanRecord['events']; dropped: number } {
  const events: SpanRecord['events'] = [];
  let skipped = 0;
  for (const eRaw of list(sp, 'events', 'span')) {
    const e = objAt(eRaw, 'event');
    if (events.length >= ctx.limits.maxEvents || !ctx.takeRequestItem()) {
      skipped++;
      continue;
    }
    const ea = attributes(ctx, list(e, 'attributes', 'event'), ctx.newOwner());
    const ev: SpanRecord['events'][number] = { timeUnixNano: u64(field(e, 'timeUnixNano')) ?? '0', name: optText(ctx, field(e, 'name')) ?? '', attributes: ea.kept };
    const d = dropped(field(e, 'droppedAttributesCount'), ea.dropped);
    if (d) ev.droppedAttributesCount = d;
    events.push(ev);
  }
  return { events, dropped: skipped };
}

function readLinks(sp: Loose, ctx: DecodeContext): { links: SpanRecord['links']; dropped: number } {
  const links: SpanRecord['links'] = [];
  let read = 0;
  let skipped = 0;
  for (const lRaw of list(sp, 'links', 'span')) {
    const l = objAt(lRaw, 'link');
    const lt = idHex(field(l, 'traceId'));
    const ls = idHex(field(l, 'spanId'));
    if (read++ >= ctx.limits.maxLinks || !/^[0-9a-f]{32}$/.test(lt) || !/^[0-9a-f]{16}$/.test(ls) || !ctx.takeRequestItem()) {
      skipped++;
      continue;
    }
    const la = attributes(ctx, list(l, 'attributes', 'link'), ctx.newOwner());
    const link: SpanRecord['links'][number] = { traceId: lt, spanId: ls, attributes: la.kept };
    const ts = optText(ctx, field(l, 'traceState'));
    if (ts) link.traceState = ts;
    const d = dropped(field(l, 'droppedAttributesCount'), la.dropped);
    if (d) link.droppedAttributesCount = d;
    const flags = u32(field(l, 'flags'));
    if (flags) link.flags = flags;
    links.push(link);
  }
  return { links, dropped: skipped };
}

function readSpan(sp: Loose, ctx: DecodeContext): SpanRecord | undefined {
  const traceId = idHex(field(sp, 'traceId'));
  const spanId = idHex(field(sp, 'spanId'));
  const parentSpanId = idHex(field(sp, 'parentSpanId'));
  const start = u64(field(sp, 'startTimeUnixNano'));
  const end = u64(field(sp, 'endTimeUnixNano'));
  // Ids first: a span that will be rejected costs no attribute work.
  if (!ctx.checkSpan({ traceId, spanId, parentSpanId, startTimeUnixNano: start ?? '0', endTimeUnixNano: end ?? '0' })) return undefined;
  if (start === undefined || end === undefined) return ctx.reject(`span ${spanId} has an invalid timestamp`);
  const attrs = attributes(ctx, list(sp, 'attributes', 'span'), ctx.newOwner());
  const ev = readEvents(sp, ctx);
  const ln = readLinks(sp, ctx);
  const stRaw = field(sp, 'status');
  const st = isObj(stRaw) ? stRaw : {};
  const status: SpanRecord['status'] = { code: enumValue(field(st, 'code'), ['UNSET', 'OK', 'ERROR'], 'STATUS_CODE_') as SpanRecord['status']['code'] };
  const message = optText(ctx, field(st, 'message'));
  if (message) status.message = message;
  const span: SpanRecord = {
    traceId,
    spanId,
    parentSpanId,
    name: optText(ctx, field(sp, 'name')) ?? '',
    kind: enumValue(field(sp, 'kind'), ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'], 'SPAN_KIND_') as SpanRecord['kind'],
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: attrs.kept,
    events: ev.events,
    links: ln.links,
    status,
  };
  const traceState = optText(ctx, field(sp, 'traceState'));
  if (traceState) span.traceState = traceState;
  const flags = u32(field(sp, 'flags'));
  if (flags) span.flags = flags;
  const da = dropped(field(sp, 'droppedAttributesCount'), attrs.dropped);
  if (da) span.droppedAttributesCount = da;
  const de = dropped(field(sp, 'droppedEventsCount'), ev.dropped);
  if (de) span.droppedEventsCount = de;
  const dl = dropped(field(sp, 'droppedLinksCount'), ln.dropped);
  if (dl) span.droppedLinksCount = dl;
  return span;
}
