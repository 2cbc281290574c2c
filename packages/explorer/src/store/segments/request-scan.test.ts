import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { type DecodeResult, decodeProtobuf } from '../../receive/decode.ts';
import { DEFAULT_LIMITS, type SpanLimits } from '../../receive/limits.ts';
import { ExportTraceServiceRequest } from '../../receive/otlp-schema.ts';
import { rawBytesOf } from '../../receive/raw-bytes.ts';
import { scanRequest } from './request-scan.ts';
import { sdkRequests } from './sdk-requests.ts';
import { spanKey } from './segment-index.ts';
import { type SpanFacts, factsOf } from './span-facts.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

// ---------------------------------------------------------------- the specification

/** Whether the decoder took the request whole: nothing rejected, no limit applied, raw bytes for every span, resource and scope. */
function takenWhole(d: DecodeResult): boolean {
  return d.rejected === 0 && d.messages.length === 0 && d.spans.every((s) => rawBytesOf(s.span) && rawBytesOf(s.resource) && rawBytesOf(s.scope));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Facts with their bytes as hex, so a difference reads as one. */
const comparable = (facts: SpanFacts[]) =>
  facts.map((f) => ({ ...f, bytes: hex(f.bytes), scope: hex(f.scope), resource: { ...f.resource, bytes: hex(f.resource.bytes) } }));

/**
 * scanRequest's contract: facts exactly when the decoder takes the request whole, and then the
 * facts factsOf derives from the decoded spans, one ResourceFacts per decoded resource, and
 * bytes that are views of the request. Returns what happened, for tests that want a mix.
 */
function checkScan(body: Uint8Array, limits: SpanLimits): 'facts' | 'refused' | 'malformed' {
  const scanned = scanRequest(body, limits);
  let decoded: DecodeResult;
  try {
    decoded = decodeProtobuf(body, limits);
  } catch {
    assert.equal(scanned, undefined, 'the decoder throws: no facts');
    return 'malformed';
  }
  if (!takenWhole(decoded)) {
    assert.equal(scanned, undefined, `the decoder applied a limit, rejected a span or kept no raw bytes: no facts (${decoded.messages.join('; ')})`);
    return 'refused';
  }
  assert.ok(scanned, 'a request the decoder takes whole is scanned');
  const expected = decoded.spans.map(factsOf);
  assert.deepStrictEqual(comparable(scanned), comparable(expected));
  for (let i = 0; i < scanned.length; i++) {
    const f = scanned[i] as SpanFacts;
    assert.equal(f.bytes.buffer, body.buffer, 'span bytes are a view of the request');
    if (f.resource.bytes.length) assert.equal(f.resource.bytes.buffer, body.buffer);
    if (f.scope.length) assert.equal(f.scope.buffer, body.buffer);
    for (let j = 0; j < i; j++) {
      const sameResource = decoded.spans[i]?.resource === decoded.spans[j]?.resource;
      assert.equal(f.resource === scanned[j]?.resource, sameResource, 'one ResourceFacts object per ResourceSpans');
    }
  }
  return 'facts';
}

// ---------------------------------------------------------------- limits

const tightOr = (tight: fc.Arbitrary<number>, generous: number) => fc.oneof({ weight: 1, arbitrary: tight }, { weight: 2, arbitrary: fc.constant(generous) });
const limitsArb: fc.Arbitrary<SpanLimits> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(DEFAULT_LIMITS) },
  {
    weight: 3,
    arbitrary: fc.record({
      maxAttributes: tightOr(fc.integer({ min: 0, max: 6 }), DEFAULT_LIMITS.maxAttributes),
      maxValueLength: tightOr(fc.integer({ min: 0, max: 40 }), DEFAULT_LIMITS.maxValueLength),
      maxEvents: tightOr(fc.integer({ min: 0, max: 3 }), Infinity),
      maxLinks: tightOr(fc.integer({ min: 0, max: 3 }), DEFAULT_LIMITS.maxLinks),
      maxValueDepth: tightOr(fc.integer({ min: -1, max: 2 }), DEFAULT_LIMITS.maxValueDepth),
      maxSpansPerRequest: tightOr(fc.integer({ min: 0, max: 10 }), DEFAULT_LIMITS.maxSpansPerRequest),
      maxItemsPerRequest: tightOr(fc.integer({ min: 0, max: 60 }), Infinity),
      maxJsonContainers: fc.constant(DEFAULT_LIMITS.maxJsonContainers),
      spansPerWrite: fc.constant(DEFAULT_LIMITS.spansPerWrite),
    }),
  },
);

// ---------------------------------------------------------------- hand-made requests (protobufjs types)

const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom('service.name', 'http.route', 'GET /orders/{id}', 'é𝄞', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 20, maxLength: 90 }) },
);
const bigDecimal = (min: bigint, max: bigint, edges: bigint[]) => fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min, max })).map(String);
const int64 = bigDecimal(-(2n ** 63n), 2n ** 63n - 1n, [0n, 1n, -1n, 127n, 128n, 2n ** 48n, 2n ** 49n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n]);
const fixed64 = bigDecimal(0n, 2n ** 64n - 1n, [0n, 1n, 1_750_000_000_123_456_789n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n]);
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b));
/** Ids: mostly valid, sometimes all zeros, of a wrong length or absent. */
const id = (n: number) =>
  fc.oneof(
    { weight: 12, arbitrary: bytes(n, n).filter((b) => b.some((x) => x !== 0)) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(n)) },
    { weight: 1, arbitrary: fc.constantFrom(n - 1, n + 1, 21, 0).chain((len) => bytes(len, len)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

type Obj = Record<string, unknown>;
const { value } = fc.letrec<{ value: Obj; keyValue: Obj }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.record({ stringValue: text }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue: int64 }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ bytesValue: bytes(0, 40) }),
    fc.constant({}),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(tie('keyValue'), { maxLength: 3 }) }) }),
  ),
  keyValue: fc.record({ key: text, value: tie('value') }, { requiredKeys: ['key'] }),
}));
const attributes = fc.array(value.chain((v) => fc.record({ key: text, value: fc.constant(v) }, { requiredKeys: ['key'] })), { maxLength: 5 });
const count = fc.integer({ min: 0, max: 0xffffffff });
const event = fc.record({ timeUnixNano: fixed64, name: text, attributes, droppedAttributesCount: count }, { requiredKeys: [] });
const link = fc.record({ traceId: id(16), spanId: id(8), traceState: text, attributes, droppedAttributesCount: count, flags: count }, { requiredKeys: [] });
const span = fc.record(
  {
    traceId: id(16), spanId: id(8), parentSpanId: fc.oneof(id(8), fc.constant(Buffer.alloc(8))), traceState: text, flags: count, name: text,
    kind: fc.integer({ min: -1, max: 7 }), startTimeUnixNano: fixed64, endTimeUnixNano: fixed64, attributes, droppedAttributesCount: count,
    events: fc.array(event, { maxLength: 2 }), droppedEventsCount: count, links: fc.array(link, { maxLength: 2 }), droppedLinksCount: count,
    status: fc.record({ code: fc.integer({ min: -1, max: 4 }), message: text }, { requiredKeys: [] }),
  },
  { requiredKeys: ['traceId', 'spanId'] },
);
const schemaUrl = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('https://opentelemetry.io/schemas/1.26.0') });
const serviceAttribute = fc.oneof(
  fc.record({ key: fc.constant('service.name'), value: fc.oneof(fc.record({ stringValue: fc.constantFrom('checkout', '') }), value) }),
  fc.constant(undefined),
);
const resource = fc.record({ attributes, droppedAttributesCount: count }, { requiredKeys: ['attributes'] });
const scope = fc.record({ name: text, version: text, attributes, droppedAttributesCount: count }, { requiredKeys: [] });
const scopeSpans = fc.record({ scope, spans: fc.array(span, { maxLength: 4 }), schemaUrl }, { requiredKeys: ['spans'] });
const resourceSpans = fc
  .record({ resource, service: serviceAttribute, scopeSpans: fc.array(scopeSpans, { maxLength: 3 }), schemaUrl }, { requiredKeys: ['scopeSpans', 'service'] })
  .map(({ service, resource: r, ...rest }) => (r ? { ...rest, resource: { ...r, attributes: service ? [service, ...r.attributes] : r.attributes } } : rest));
const handMade = fc.array(resourceSpans, { maxLength: 3 }).map((rs) => ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({ resourceSpans: rs })).finish());

/** A request with one thing wrong: a byte changed, bytes cut, inserted or removed. */
const mutated = fc.tuple(handMade, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert', 'remove')).map(([body, a, b, byte, how]) => {
  const at = body.length ? a % body.length : 0;
  const out = Buffer.from(body);
  if (how === 'flip' && out.length) out[at] = byte;
  if (how === 'cut') return out.subarray(0, at);
  if (how === 'insert') return Buffer.concat([out.subarray(0, at), Buffer.from([byte, b & 0xff]), out.subarray(at)]);
  if (how === 'remove') return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + (b % 3))]);
  return out;
});

// ---------------------------------------------------------------- fixed requests

const hexId = (h: string) => Buffer.from(h, 'hex');
const TRACE = hexId('0af7651916cd43dd8448eb211c80319c');
const SPAN = hexId('b7ad6b7169203331');
const encode = (o: Obj) => ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(o)).finish();
const oneSpan = (s: Obj, resource: Obj = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }) =>
  encode({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'lib', version: '1.0' }, spans: [{ traceId: TRACE, spanId: SPAN, name: 'op', startTimeUnixNano: '1750000000000000000', endTimeUnixNano: '1750000000000000500', ...s }] }] }] });
const field = (tag: number, body: Uint8Array) => protobuf.Writer.create().uint32(tag).bytes(body).finish();
const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);

// ---------------------------------------------------------------- tests

describe('scanRequest: the decoder\'s facts, or none', () => {
  it('hand-made requests with every value type, under random limits', () => {
    const seen = { facts: 0, refused: 0, malformed: 0 };
    fc.assert(fc.property(handMade, limitsArb, (body, limits) => void seen[checkScan(body, limits)]++), { numRuns: RUNS });
    assert.ok(seen.facts > RUNS / 10 && seen.refused > RUNS / 10, `a mix of outcomes: ${JSON.stringify(seen)}`);
  });

  it('requests from the official SDK and serializer, under random limits', () => {
    const seen = { facts: 0, refused: 0, malformed: 0 };
    fc.assert(fc.property(sdkRequests, limitsArb, (body, limits) => void seen[checkScan(body, limits)]++), { numRuns: Math.ceil(RUNS / 3) });
    assert.ok(seen.facts > 0 && seen.refused > 0, JSON.stringify(seen));
  });

  it('every request from the official SDK with default limits', () => {
    fc.assert(fc.property(sdkRequests, (body) => assert.equal(checkScan(body, DEFAULT_LIMITS), 'facts')), { numRuns: Math.ceil(RUNS / 3) });
  });

  it('corrupted requests: never throws, facts only when the decoder takes the bytes whole', () => {
    const seen = { facts: 0, refused: 0, malformed: 0 };
    fc.assert(fc.property(mutated, limitsArb, (body, limits) => void seen[checkScan(body, limits)]++), { numRuns: RUNS });
    assert.ok(seen.malformed > 0, JSON.stringify(seen));
  });

  it('arbitrary bytes: never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), limitsArb, (body, limits) => void checkScan(body, limits)), { numRuns: RUNS });
  });
});

describe('scanRequest fixed cases', () => {
  it('a request of no spans: no facts to give, but not a refusal', () => {
    assert.deepStrictEqual(scanRequest(new Uint8Array(0), DEFAULT_LIMITS), []);
    assert.deepStrictEqual(scanRequest(encode({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [] }] }] }), DEFAULT_LIMITS), []);
  });

  it('a span of the usual shape: its facts, ids and times straight from the bytes', () => {
    const body = oneSpan({ kind: 2, parentSpanId: hexId('00f067aa0ba902b7'), status: { code: 2 }, attributes: [{ key: 'http.response.status_code', value: { intValue: 503 } }, { key: 'ok', value: { boolValue: false } }, { key: 'ratio', value: { doubleValue: 0.25 } }] });
    const [f] = scanRequest(body, DEFAULT_LIMITS) ?? [];
    assert.ok(f);
    assert.equal(f.traceId, TRACE.toString('hex'));
    assert.equal(f.spanKey, spanKey(SPAN.toString('hex')));
    assert.deepEqual([f.root, f.name, f.kind, f.statusCode, f.startNs, f.endNs], [false, 'op', 2, 2, 1750000000000000000n, 1750000000000000500n]);
    assert.deepEqual(f.pairs, ['http.response.status_code', '503', 'ok', 'false', 'ratio', '0.25']);
    assert.deepEqual([f.resource.service, f.resource.pairs], ['checkout', ['service.name', 'checkout']]);
    checkScan(body, DEFAULT_LIMITS);
    // The same bytes at an odd offset of a bigger buffer, as a pooled Buffer may be.
    const inside = Buffer.concat([Buffer.alloc(3, 0xff), body, Buffer.alloc(5, 0xff)]).subarray(3, 3 + body.length);
    assert.equal(checkScan(inside, DEFAULT_LIMITS), 'facts');
    assert.deepStrictEqual(comparable(scanRequest(inside, DEFAULT_LIMITS) ?? []), comparable([f]));
  });

  it('spanKey from the id bytes equals spanKey of its hex, past 2^21 in the first half too', () => {
    for (const s of ['ffffffffffffffff', '0000000100000000', '00200000ffffffff', '7fffffff00000001']) {
      const [f] = scanRequest(oneSpan({ spanId: hexId(s) }), DEFAULT_LIMITS) ?? [];
      assert.equal(f?.spanKey, spanKey(s), s);
    }
  });

  it('refuses what the decoder rejects: an all-zero trace id, a 17-byte trace id, a truncated message', () => {
    assert.equal(scanRequest(oneSpan({ traceId: Buffer.alloc(16) }), DEFAULT_LIMITS), undefined);
    assert.equal(scanRequest(oneSpan({ traceId: Buffer.alloc(17, 1) }), DEFAULT_LIMITS), undefined);
    const body = oneSpan({});
    for (let cut = 1; cut < body.length; cut++) assert.equal(scanRequest(body.subarray(0, cut), DEFAULT_LIMITS), undefined, `cut at ${cut}`);
    assert.equal(checkScan(oneSpan({ traceId: Buffer.alloc(16) }), DEFAULT_LIMITS), 'refused');
    assert.equal(checkScan(body.subarray(0, body.length - 1), DEFAULT_LIMITS), 'malformed');
  });

  it('unknown fields everywhere are skipped, and kept in the stored bytes as the decoder keeps them', () => {
    const unknown = cat(protobuf.Writer.create().uint32((99 << 3) | 0).uint64(12345678901234).uint32((100 << 3) | 1).fixed64(7).uint32((101 << 3) | 5).fixed32(9).finish(), field((102 << 3) | 2, Buffer.from('x')));
    const span = cat(field(0x0a, TRACE), unknown, field(0x12, SPAN), field(0x2a, Buffer.from('op')), unknown);
    const kv = cat(field(0x0a, Buffer.from('k')), unknown, field(0x12, cat(unknown, field(0x0a, Buffer.from('v')), unknown)));
    const resource = cat(unknown, field(0x0a, kv));
    const body = field(0x0a, cat(field(0x0a, resource), unknown, field(0x12, cat(unknown, field(0x12, cat(span, field(0x4a, kv)))))));
    assert.equal(checkScan(body, DEFAULT_LIMITS), 'facts');
    const [f] = scanRequest(body, DEFAULT_LIMITS) ?? [];
    assert.deepEqual(f?.pairs, ['k', 'v']);
    assert.deepEqual(f?.resource.pairs, ['k', 'v']);
  });

  it('a resource and a scope after their spans; spans of one resource share its facts', () => {
    const span = (n: number) => field(0x12, cat(field(0x0a, TRACE), field(0x12, Buffer.from([0, 0, 0, 0, 0, 0, 0, n]))));
    const resource = field(0x0a, field(0x0a, cat(field(0x0a, Buffer.from('service.name')), field(0x12, field(0x0a, Buffer.from('late'))))));
    const scope = field(0x0a, field(0x0a, Buffer.from('lib')));
    const body = field(0x0a, cat(field(0x12, cat(span(1), span(2), scope)), field(0x12, span(3)), resource));
    assert.equal(checkScan(body, DEFAULT_LIMITS), 'facts');
    const facts = scanRequest(body, DEFAULT_LIMITS) ?? [];
    assert.deepEqual(facts.map((f) => [f.resource.service, hex(f.scope)]), [['late', '0a036c6962'], ['late', '0a036c6962'], ['late', '']]);
    assert.ok(facts[0]?.resource === facts[2]?.resource);
  });

  it('serviceOf rules: the first service.name, a string and not empty, or unknown_service', () => {
    const service = (attributes: Obj[]) => scanRequest(oneSpan({}, { attributes }), DEFAULT_LIMITS)?.[0]?.resource.service;
    const kv = (v: Obj) => ({ key: 'service.name', value: v });
    assert.equal(service([kv({ stringValue: 'a' }), kv({ stringValue: 'b' })]), 'a');
    assert.equal(service([kv({ intValue: 5 }), kv({ stringValue: 'b' })]), 'unknown_service');
    assert.equal(service([kv({ stringValue: '' })]), 'unknown_service');
    assert.equal(service([]), 'unknown_service');
    assert.equal(scanRequest(encode({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN }] }] }] }), DEFAULT_LIMITS)?.[0]?.resource.service, 'unknown_service');
  });

  it('arrays, kvlists, bytes, negative and large ints read as the decoder reads them', () => {
    const values: Obj[] = [
      { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, {}] } }, { kvlistValue: { values: [{ key: 'x', value: { boolValue: true } }] } },
      { bytesValue: Buffer.from([0, 1, 2, 255]) }, { intValue: '-1' }, { intValue: '9223372036854775807' }, { doubleValue: Number.NaN }, { doubleValue: -0 }, {},
    ];
    const body = oneSpan({ attributes: values.map((v, i) => ({ key: `k${i}`, value: v })) });
    assert.equal(checkScan(body, DEFAULT_LIMITS), 'facts');
    assert.deepEqual(scanRequest(body, DEFAULT_LIMITS)?.[0]?.pairs.filter((_, i) => i % 2), ['["a",1,null]', '{"x":true}', 'AAEC/w==', '-1', '9223372036854775807', 'NaN', '0', 'null']);
    // The same values past the item budget or the depth limit: refused.
    assert.equal(checkScan(body, { ...DEFAULT_LIMITS, maxItemsPerRequest: 10 }), 'refused');
    assert.equal(checkScan(body, { ...DEFAULT_LIMITS, maxValueDepth: 0 }), 'refused');
  });

  it('refuses what would be stored other than as sent: schema URLs, a resource in two messages, a lookalike of the store\'s schema URL field', () => {
    const spans = [{ traceId: TRACE, spanId: SPAN }];
    assert.equal(checkScan(encode({ resourceSpans: [{ schemaUrl: 'https://s', scopeSpans: [{ spans }] }] }), DEFAULT_LIMITS), 'refused');
    assert.equal(checkScan(encode({ resourceSpans: [{ scopeSpans: [{ schemaUrl: 'https://s', spans }] }] }), DEFAULT_LIMITS), 'refused');
    const res = field(0x0a, field(0x0a, cat(field(0x0a, Buffer.from('a')), field(0x12, field(0x0a, Buffer.from('b'))))));
    const span = field(0x12, field(0x12, cat(field(0x0a, TRACE), field(0x12, SPAN))));
    assert.equal(checkScan(field(0x0a, cat(res, res, span)), DEFAULT_LIMITS), 'refused');
    assert.equal(checkScan(field(0x0a, cat(field(0x0a, field((2047 << 3) | 2, Buffer.from('https://x'))), span)), DEFAULT_LIMITS), 'refused');
  });

  it('refuses at each limit the decoder applies, and not one short of it', () => {
    const body = oneSpan({
      name: 'twelve chars', attributes: [{ key: 'a', value: { stringValue: 'x' } }, { key: 'b', value: { intValue: 1 } }],
      events: [{ name: 'e', attributes: [{ key: 'c', value: { boolValue: true } }] }],
      links: [{ traceId: TRACE, spanId: SPAN }],
    });
    // Items: 1 resource attribute, 2 span attributes, 1 event and its attribute, 1 link.
    const cases: Array<[Partial<SpanLimits>, Partial<SpanLimits>]> = [
      [{ maxValueLength: 11 }, { maxValueLength: 12 }],
      [{ maxAttributes: 1 }, { maxAttributes: 2 }],
      [{ maxEvents: 0 }, { maxEvents: 1 }],
      [{ maxLinks: 0 }, { maxLinks: 1 }],
      [{ maxItemsPerRequest: 5 }, { maxItemsPerRequest: 6 }],
      [{ maxSpansPerRequest: 0 }, { maxSpansPerRequest: 1 }],
      [{ maxValueDepth: -1 }, { maxValueDepth: 0 }],
    ];
    for (const [over, at] of cases) {
      assert.equal(checkScan(body, { ...DEFAULT_LIMITS, ...over }), 'refused', JSON.stringify(over));
      assert.equal(checkScan(body, { ...DEFAULT_LIMITS, ...at }), 'facts', JSON.stringify(at));
    }
    // A link the decoder drops for its ids, and multi-byte strings that fit in UTF-16 units but not in bytes.
    assert.equal(checkScan(oneSpan({ links: [{ traceId: TRACE.subarray(1), spanId: SPAN }] }), DEFAULT_LIMITS), 'refused');
    const named = (name: string) => oneSpan({ name }, { attributes: [] });
    assert.equal(checkScan(named('éééé'), { ...DEFAULT_LIMITS, maxValueLength: 4 }), 'facts');
    assert.equal(checkScan(named('ééééé'), { ...DEFAULT_LIMITS, maxValueLength: 4 }), 'refused');
  });

  it('gives the same facts again from its caches, and refuses a cached attribute a later request\'s limit would cut', () => {
    const body = oneSpan({ attributes: [{ key: 'http.route', value: { stringValue: '/orders/{id}' } }] });
    assert.equal(checkScan(body, DEFAULT_LIMITS), 'facts');
    assert.equal(checkScan(body, DEFAULT_LIMITS), 'facts');
    assert.equal(checkScan(body, { ...DEFAULT_LIMITS, maxValueLength: 11 }), 'refused');
    assert.equal(checkScan(body, { ...DEFAULT_LIMITS, maxValueLength: 12 }), 'facts');
  });
});
