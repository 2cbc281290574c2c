import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import type { AnyValue, KeyValue, Resource, Scope, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../../model.ts';
import { decodeProtobuf } from '../../receive/decode.ts';
import { DEFAULT_LIMITS, type SpanLimits } from '../../receive/limits.ts';
import { ExportTraceServiceRequest } from '../../receive/otlp-schema.ts';
import { rawBytesOf } from '../../receive/raw-bytes.ts';
import { sdkRequests } from './sdk-requests.ts';
import { decodeResource, decodeScope, decodeSpan, encodeResource, encodeScope, encodeSpan } from './span-protobuf.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const OfficialSpan = ExportTraceServiceRequest.root.lookupType('opentelemetry.proto.trace.v1.Span');
const OfficialResource = ExportTraceServiceRequest.root.lookupType('opentelemetry.proto.resource.v1.Resource');
const OfficialScope = ExportTraceServiceRequest.root.lookupType('opentelemetry.proto.common.v1.InstrumentationScope');

// ---------------------------------------------------------------- model objects as the receiver makes them

/** Any code points, decoded from UTF-8 as the receiver does (a lone surrogate becomes U+FFFD). */
const text = fc
  .oneof(
    { weight: 12, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 100, maxLength: 400 }) },
  )
  .map((s) => Buffer.from(s, 'utf8').toString('utf8'));
const someText = text.filter((s) => s !== '');
const hexId = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const validId = (bytes: number) => hexId(bytes).filter((h) => !/^0+$/.test(h));
const decimal = (min: bigint, max: bigint, edges: bigint[] = []) => {
  const inRange = edges.filter((e) => e >= min && e <= max);
  return (inRange.length ? fc.oneof(fc.constantFrom(...inRange), fc.bigInt({ min, max })) : fc.bigInt({ min, max })).map(String);
};
const EDGES = [0n, 1n, 127n, 128n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 18n, 2n ** 63n - 1n, 2n ** 64n - 1n];
const EDGES_SIGNED = [...EDGES, -1n, -128n, -(2n ** 31n), -(2n ** 32n), -(2n ** 53n) - 1n, -(2n ** 63n)];
/** Times the receiver accepts on a span (it refuses past 2^63 - 1); events take any fixed64. */
const spanTime = fc.oneof(decimal(0n, 2n ** 63n - 1n, EDGES), decimal(1_600_000_000_000_000_000n, 1_900_000_000_000_000_000n));
const eventTime = decimal(0n, 2n ** 64n - 1n, EDGES);
const int64 = decimal(-(2n ** 63n), 2n ** 63n - 1n, EDGES_SIGNED);
const double = fc.double().map((d) => (Number.isFinite(d) ? d : String(d)));
const base64 = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64'));
/** Dropped counts; the receiver sums counts sent more than once, so past uint32 too. */
const count = fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 0xffffffff }) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 32, 3 * 2 ** 32 + 7) });
const flags = fc.integer({ min: 1, max: 0xffffffff });

/** fast-check may make objects without a prototype; the receiver's have Object's. */
const plain = { noNullPrototype: true } as const;
const { value } = fc.letrec<{ value: AnyValue }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    fc.record({ stringValue: text }, plain),
    fc.record({ boolValue: fc.boolean() }, plain),
    fc.record({ intValue: int64 }, plain),
    fc.record({ doubleValue: double }, plain),
    fc.record({ bytesValue: base64 }, plain),
    fc.constant({}),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 4 }) }, plain) }, plain),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: text, value: tie('value') }, plain), { maxLength: 4 }) }, plain) }, plain),
  ),
}));
const attributes: fc.Arbitrary<KeyValue[]> = fc.array(fc.record({ key: text, value }, plain), { maxLength: 7 });

const event: fc.Arbitrary<SpanEventRecord> = fc.record(
  { timeUnixNano: eventTime, name: text, attributes, droppedAttributesCount: count },
  { noNullPrototype: true, requiredKeys: ['timeUnixNano', 'name', 'attributes'] },
);
const link: fc.Arbitrary<SpanLinkRecord> = fc.record(
  { traceId: hexId(16), spanId: hexId(8), traceState: someText, attributes, droppedAttributesCount: count, flags },
  { noNullPrototype: true, requiredKeys: ['traceId', 'spanId', 'attributes'] },
);
const status: fc.Arbitrary<SpanRecord['status']> = fc.record(
  { code: fc.constantFrom(0 as const, 1 as const, 2 as const), message: someText },
  { noNullPrototype: true, requiredKeys: ['code'] },
);
const span: fc.Arbitrary<SpanRecord> = fc.record(
  {
    traceId: validId(16),
    spanId: validId(8),
    parentSpanId: fc.oneof(fc.constant(''), hexId(8)),
    traceState: someText,
    flags,
    name: text,
    kind: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const, 5 as const),
    startTimeUnixNano: spanTime,
    endTimeUnixNano: spanTime,
    attributes,
    droppedAttributesCount: count,
    events: fc.array(event, { maxLength: 3 }),
    droppedEventsCount: count,
    links: fc.array(link, { maxLength: 3 }),
    droppedLinksCount: count,
    status,
  },
  { noNullPrototype: true, requiredKeys: ['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'links', 'status'] },
);
const resource: fc.Arbitrary<Resource> = fc.record(
  { attributes, droppedAttributesCount: count, schemaUrl: someText },
  { noNullPrototype: true, requiredKeys: ['attributes'] },
);
const scope: fc.Arbitrary<Scope> = fc.record(
  { name: text, version: someText, attributes: fc.array(fc.record({ key: text, value }, plain), { minLength: 1, maxLength: 5 }), schemaUrl: someText },
  { noNullPrototype: true, requiredKeys: ['name'] },
);

// ---------------------------------------------------------------- requests and their parts

const field = (tag: number, body: Uint8Array): Uint8Array => protobuf.Writer.create().uint32(tag).bytes(body).finish();
const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
const stringField = (tag: number, s: string | undefined): Uint8Array => (s ? protobuf.Writer.create().uint32(tag).string(s).finish() : new Uint8Array(0));

/** A minimal ExportTraceServiceRequest around Span, Resource and InstrumentationScope message bytes. */
function request(o: { spans: Uint8Array[]; resource?: Uint8Array; resourceSchemaUrl?: string; scope?: Uint8Array; scopeSchemaUrl?: string }): Uint8Array {
  const scopeSpans = concat(o.scope ? field(0x0a, o.scope) : new Uint8Array(0), ...o.spans.map((s) => field(0x12, s)), stringField(0x1a, o.scopeSchemaUrl));
  const resourceSpans = concat(o.resource ? field(0x0a, o.resource) : new Uint8Array(0), field(0x12, scopeSpans), stringField(0x1a, o.resourceSchemaUrl));
  return field(0x0a, resourceSpans);
}

/** Length-delimited fields of a message, with their bytes (views of `bytes`). */
function lenFields(bytes: Uint8Array): Array<{ field: number; body: Uint8Array }> {
  const r = protobuf.Reader.create(bytes);
  const out: Array<{ field: number; body: Uint8Array }> = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if ((tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const length = r.uint32();
    out.push({ field: tag >>> 3, body: bytes.subarray(r.pos, r.pos + length) });
    r.pos += length;
  }
  return out;
}

interface Sliced {
  resource: Uint8Array;
  scope: Uint8Array;
  span: Uint8Array;
}

/** Every span of a request with the bytes of its Span, Resource and InstrumentationScope messages, in order. */
function sliceRequest(body: Uint8Array): Sliced[] {
  const out: Sliced[] = [];
  for (const rs of lenFields(body).filter((f) => f.field === 1)) {
    const parts = lenFields(rs.body);
    const resource = parts.find((f) => f.field === 1)?.body ?? new Uint8Array(0);
    for (const ss of parts.filter((f) => f.field === 2)) {
      const inner = lenFields(ss.body);
      const scopeBytes = inner.find((f) => f.field === 1)?.body ?? new Uint8Array(0);
      for (const s of inner.filter((f) => f.field === 2)) out.push({ resource, scope: scopeBytes, span: s.body });
    }
  }
  return out;
}

const hasHugeCount = (x: object): boolean => JSON.stringify(x, (k, v: unknown) => (typeof v === 'number' && /dropped/i.test(k) && v > 0xffffffff ? 'HUGE' : v)).includes('"HUGE"');
const without = <T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> => {
  const { [key]: _, ...rest } = o;
  return rest;
};

// ---------------------------------------------------------------- tests

describe('span-protobuf round trips', () => {
  it('decodes what it encodes to an equal span, for every value type and optional field', () => {
    fc.assert(fc.property(span, (x) => assert.deepStrictEqual(decodeSpan(encodeSpan(x)), x)), { numRuns: RUNS });
  });

  it('decodes what it encodes to an equal resource and scope (schemaUrl included)', () => {
    fc.assert(
      fc.property(resource, scope, (res, sc) => {
        assert.deepStrictEqual(decodeResource(encodeResource(res)), res);
        assert.deepStrictEqual(decodeScope(encodeScope(sc)), sc);
      }),
      { numRuns: RUNS },
    );
  });

  it('encodes defaults as nothing: a bare root span, an empty resource and scope', () => {
    const bare: SpanRecord = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: [], events: [], links: [], status: { code: 0 } };
    assert.equal(encodeSpan(bare).length, 0);
    assert.deepStrictEqual(decodeSpan(new Uint8Array(0)), bare);
    assert.equal(encodeResource({ attributes: [] }).length, 0);
    assert.deepStrictEqual(decodeResource(new Uint8Array(0)), { attributes: [] });
    assert.equal(encodeScope({ name: '' }).length, 0);
    assert.deepStrictEqual(decodeScope(new Uint8Array(0)), { name: '' });
  });

  it('keeps oneof values that hold their default, and the double specials', () => {
    const values: AnyValue[] = [
      { stringValue: '' }, { boolValue: false }, { intValue: '0' }, { doubleValue: 0 }, { doubleValue: -0 }, { bytesValue: '' },
      { doubleValue: 'NaN' }, { doubleValue: 'Infinity' }, { doubleValue: '-Infinity' }, { arrayValue: { values: [] } },
      { kvlistValue: { values: [] } }, { arrayValue: { values: [{}, { stringValue: '' }] } }, {},
      { intValue: '-9223372036854775808' }, { intValue: '9223372036854775807' }, { intValue: '9007199254740993' }, { intValue: '-1' },
    ];
    const attrs = values.map((v, i) => ({ key: `k${i}`, value: v }));
    const x: SpanRecord = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: '', name: 'n', kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '18446744073709551615', attributes: attrs, events: [], links: [], status: { code: 0 } };
    const back = decodeSpan(encodeSpan(x));
    assert.deepStrictEqual(back, x);
    assert.ok(Object.is(back.attributes[4]?.value.doubleValue, -0));
  });

  it('writes what only OTLP/JSON can bring as protobuf reads it, never as bytes that fail to decode', () => {
    const x = (extra: Partial<SpanRecord>): SpanRecord => ({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: '', name: 'n', kind: 0, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [], events: [], links: [], status: { code: 0 }, ...extra });
    const bytes = (b64: string) => [{ key: 'b', value: { bytesValue: b64 } }];
    const cases: Array<[SpanRecord, SpanRecord]> = [
      [x({ attributes: bytes('hello!') }), x({ attributes: bytes(Buffer.from('hello!', 'base64').toString('base64')) })],
      [x({ attributes: bytes('-_8') }), x({ attributes: bytes('+/8=') })],
      [x({ name: '\ud800x', traceState: 'a\udfff' }), x({ name: '\ufffdx', traceState: 'a\ufffd' })],
      [x({ flags: 2 ** 33 + 1 }), x({ flags: 1 })],
      [x({ droppedAttributesCount: 2 ** 35 }), x({ droppedAttributesCount: 2 ** 35 })],
      // Clamped, not 10^300 / 2^32 fields.
      [x({ droppedEventsCount: 1e300 }), x({ droppedEventsCount: 16 * 0xffffffff })],
    ];
    for (const [given, back] of cases) assert.deepStrictEqual(decodeSpan(encodeSpan(given)), back);
  });

  it('leaves nothing of a call that threw in the next message', () => {
    const broken = { name: 'half-written', attributes: [{ key: 'k', value: { stringValue: 'v' } }, null] } as unknown as Scope;
    assert.throws(() => encodeScope(broken), TypeError);
    assert.deepStrictEqual(decodeScope(encodeScope({ name: 'next' })), { name: 'next' });
  });

  it('moves to a new slab when it ends just where nested length prefixes grow', () => {
    // An attribute, its value and its kvlist pass 127 bytes together when the last bool is written:
    // each length prefix then takes a second byte, the third past the slab when 8 bytes were left for the entry.
    const bool = { key: '', value: { boolValue: true } }; // 6 bytes, and room for 8 checked before them
    const x: SpanRecord = {
      traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: '', name: '', kind: 0, startTimeUnixNano: '0', endTimeUnixNano: '0',
      attributes: [{ key: '', value: { kvlistValue: { values: Array.from({ length: 25 }, () => bool) } } }], events: [], links: [], status: { code: 0 },
    };
    const before = 2 + 16 + 2 + 8 + 2 + 2 + 2; // ids, then the three message tags and one-byte lengths
    const roomLeft = (): number => {
      const empty = encodeScope({ name: '' }); // a view where the next message starts
      return empty.buffer.byteLength - empty.byteOffset;
    };
    for (let trial = 0; trial < 3; trial++) {
      // Fill the slab until exactly `before + 6 * 24 + 8` bytes are left: scopes shift by 3 to 8 bytes, bool attributes by 6.
      if (roomLeft() < 400) encodeScope({ name: 'x'.repeat(200) });
      const shift = (roomLeft() - before - 152) % 6;
      if (shift) encodeScope({ name: 'x'.repeat(shift < 3 ? shift + 4 : shift - 2) });
      encodeResource({ attributes: Array.from({ length: (roomLeft() - before - 152) / 6 }, () => bool) });
      assert.equal(roomLeft(), before + 152);
      assert.deepStrictEqual(decodeSpan(encodeSpan(x)), x);
    }
  });

  it('writes long strings and big spans, moving to a new slab without touching what it returned before', () => {
    const big = (i: number): SpanRecord => ({
      traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: '', name: 'é'.repeat(i * 37), kind: 2,
      startTimeUnixNano: String(1_750_000_000_000_000_000n + BigInt(i)), endTimeUnixNano: '1750000000000000999',
      attributes: [{ key: 'payload', value: { stringValue: 'p'.repeat(i * 811) } }, { key: 'nested', value: { arrayValue: { values: [{ stringValue: 'x'.repeat(i * 50) }] } } }],
      events: [{ timeUnixNano: '5', name: 'e', attributes: [{ key: 'k', value: { stringValue: '𝄞'.repeat(i * 9) } }] }], links: [], status: { code: 2, message: 'm' },
    });
    const spans = Array.from({ length: 200 }, (_, i) => big(i));
    const bytes = spans.map(encodeSpan);
    const copies = bytes.map((b) => Buffer.from(b));
    encodeSpan(big(300)); // past the slab, and a new one
    bytes.forEach((b, i) => {
      assert.deepEqual(Buffer.from(b), copies[i]);
      assert.deepStrictEqual(decodeSpan(b), spans[i]);
    });
  });
});

describe('span-protobuf bytes are OTLP', () => {
  it('an explicit span reads with the official protobufjs types as written', () => {
    const x: SpanRecord = {
      traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '1112131415161718', parentSpanId: '2122232425262728', traceState: 'a=1', flags: 0x301,
      name: 'GET /x', kind: 2, startTimeUnixNano: '1750000000123456789', endTimeUnixNano: '1750000000223456789',
      attributes: [{ key: 'n', value: { intValue: '-5' } }, { key: 'b', value: { bytesValue: 'AAEC' } }], droppedAttributesCount: 3,
      events: [{ timeUnixNano: '1750000000200000000', name: 'ev', attributes: [{ key: 'd', value: { doubleValue: 1.5 } }], droppedAttributesCount: 1 }], droppedEventsCount: 2,
      links: [{ traceId: 'ff'.repeat(16), spanId: 'ee'.repeat(8), traceState: 't=2', attributes: [], flags: 1 }], droppedLinksCount: 4,
      status: { code: 2, message: 'boom' },
    };
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    assert.deepStrictEqual(OfficialSpan.toObject(OfficialSpan.decode(encodeSpan(x)), { longs: String, bytes: String }), {
      traceId: b64(x.traceId), spanId: b64(x.spanId), parentSpanId: b64(x.parentSpanId), traceState: 'a=1', flags: 0x301,
      name: 'GET /x', kind: 2, startTimeUnixNano: '1750000000123456789', endTimeUnixNano: '1750000000223456789',
      attributes: [{ key: 'n', value: { intValue: '-5' } }, { key: 'b', value: { bytesValue: 'AAEC' } }], droppedAttributesCount: 3,
      events: [{ timeUnixNano: '1750000000200000000', name: 'ev', attributes: [{ key: 'd', value: { doubleValue: 1.5 } }], droppedAttributesCount: 1 }], droppedEventsCount: 2,
      links: [{ traceId: b64('ff'.repeat(16)), spanId: b64('ee'.repeat(8)), traceState: 't=2', flags: 1 }], droppedLinksCount: 4,
      status: { code: 2, message: 'boom' },
    });
  });

  it('official protobufjs types read every span it writes as it means it (their re-encoding decodes to the same span)', () => {
    fc.assert(
      fc.property(span, (x) => {
        fc.pre(!hasHugeCount(x)); // past uint32 a count is several fields, which the official types read as the last one
        const official = OfficialSpan.encode(OfficialSpan.decode(encodeSpan(x))).finish();
        assert.deepStrictEqual(decodeSpan(official), x);
      }),
      { numRuns: RUNS },
    );
  });

  it('official protobufjs types read its resources and scopes, skipping the schemaUrl field that OTLP does not have there', () => {
    fc.assert(
      fc.property(resource, scope, (res, sc) => {
        fc.pre(!hasHugeCount(res));
        assert.deepStrictEqual(decodeResource(OfficialResource.encode(OfficialResource.decode(encodeResource(res))).finish()), without(res, 'schemaUrl'));
        assert.deepStrictEqual(decodeScope(OfficialScope.encode(OfficialScope.decode(encodeScope(sc))).finish()), without(sc, 'schemaUrl'));
      }),
      { numRuns: RUNS },
    );
  });

  it('the receiver decodes its bytes in a request to the same span, resource and scope', () => {
    fc.assert(
      fc.property(span, resource, scope, (x, res, sc) => {
        const body = request({
          spans: [encodeSpan(x)],
          resource: encodeResource(without(res, 'schemaUrl')), resourceSchemaUrl: res.schemaUrl,
          scope: encodeScope(without(sc, 'schemaUrl')), scopeSchemaUrl: sc.schemaUrl,
        });
        const [got] = decodeProtobuf(body).spans;
        assert.deepStrictEqual(got?.span, x);
        assert.deepStrictEqual(got?.resource, res);
        assert.deepStrictEqual(got?.scope, sc);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('span-protobuf reads what official exporters send', () => {
  it('each Span, Resource and InstrumentationScope sliced from an official request decodes to what the receiver made of it', () => {
    fc.assert(
      fc.property(sdkRequests, (body) => {
        const decoded = decodeProtobuf(body);
        const sliced = sliceRequest(body);
        assert.equal(decoded.rejected, 0);
        assert.equal(sliced.length, decoded.spans.length);
        decoded.spans.forEach((s, i) => {
          const part = sliced[i] as Sliced;
          assert.deepStrictEqual(decodeSpan(part.span), s.span);
          assert.deepStrictEqual(decodeResource(part.resource), s.resource);
          assert.deepStrictEqual(decodeScope(part.scope), s.scope);
          // Encoded again (defaults left out, field order canonical), as good.
          assert.deepStrictEqual(decodeSpan(encodeSpan(s.span)), s.span);
        });
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

describe('receiver raw bytes (receive/raw-bytes.ts)', () => {
  const simple = (i: number, extra: Partial<SpanRecord> = {}): SpanRecord => ({
    traceId: 'ab'.repeat(16), spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: '', name: `op-${i}`, kind: 1,
    startTimeUnixNano: '1750000000000000000', endTimeUnixNano: '1750000000000000001', attributes: [{ key: 'k', value: { stringValue: 'v' } }],
    events: [], links: [], status: { code: 0 }, ...extra,
  });
  const tight: SpanLimits = { ...DEFAULT_LIMITS, maxValueLength: 8, maxAttributes: 3, maxEvents: 1, maxLinks: 1, maxValueDepth: 1 };
  const kv = (key: string, v: AnyValue): KeyValue => ({ key, value: v });

  it('gives every span, resource and scope of an official request its own bytes, which decode to the same object', () => {
    fc.assert(
      fc.property(sdkRequests, (body) => {
        for (const s of decodeProtobuf(body).spans) {
          for (const [obj, decode] of [[s.span, decodeSpan], [s.resource, decodeResource], [s.scope, decodeScope]] as const) {
            const raw = rawBytesOf(obj);
            assert.ok(raw, 'raw bytes');
            assert.equal(raw.buffer, body.buffer, 'a view of the request, not a copy');
            assert.deepStrictEqual((decode as (b: Uint8Array) => object)(raw), obj);
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('gives none to a span that a limit touched, and keeps them for its untouched neighbours', () => {
    const touched: Array<[string, Partial<SpanRecord>]> = [
      ['a value over the length limit', { attributes: [kv('k', { stringValue: 'x'.repeat(9) })] }],
      ['a key over the length limit', { attributes: [kv('k'.repeat(9), { intValue: '1' })] }],
      ['a name over the length limit', { name: 'n'.repeat(9) }],
      ['a bytes value over the length limit', { attributes: [kv('k', { bytesValue: Buffer.alloc(30).toString('base64') })] }],
      ['more attributes than the limit', { attributes: [1, 2, 3, 4].map((i) => kv(`k${i}`, { intValue: String(i) })) }],
      ['an array past the attribute budget', { attributes: [kv('a', { arrayValue: { values: [{ boolValue: true }, { boolValue: false }, { intValue: '3' }] } })] }],
      ['a value nested past the depth limit', { attributes: [kv('a', { arrayValue: { values: [{ arrayValue: { values: [{ intValue: '1' }] } }] } })] }],
      ['more events than the limit', { events: [1, 2].map((i) => ({ timeUnixNano: String(i), name: 'e', attributes: [] })) }],
      ['more links than the limit', { links: [1, 2].map((i) => ({ traceId: 'cd'.repeat(16), spanId: String(i).repeat(16), attributes: [] })) }],
      ['a link with an invalid id', { links: [{ traceId: 'cd'.repeat(15), spanId: '11'.repeat(8), attributes: [] }] }],
      ['an event attribute over the length limit', { events: [{ timeUnixNano: '1', name: 'e', attributes: [kv('k', { stringValue: 'y'.repeat(9) })] }] }],
    ];
    for (const [what, extra] of touched) {
      const spans = [simple(0), simple(1, extra), simple(2)];
      const decoded = decodeProtobuf(request({ spans: spans.map(encodeSpan) }), tight).spans;
      assert.equal(decoded.length, 3, what);
      assert.equal(rawBytesOf(decoded[1]!.span), undefined, what);
      for (const i of [0, 2]) assert.deepStrictEqual(decodeSpan(rawBytesOf(decoded[i]!.span)!), spans[i], what);
    }
  });

  it('gives none to spans past the request item budget', () => {
    const decoded = decodeProtobuf(request({ spans: [simple(0), simple(1), simple(2)].map(encodeSpan) }), { ...DEFAULT_LIMITS, maxItemsPerRequest: 2 }).spans;
    assert.deepStrictEqual(decoded.map((s) => rawBytesOf(s.span) !== undefined), [true, true, false]);
  });

  it('gives a resource or scope bytes only when its one message decoded whole and it has no schema URL', () => {
    const res = encodeResource({ attributes: [kv('service.name', { stringValue: 'svc' })] });
    const sc = encodeScope({ name: 'lib', version: '1' });
    const spans = [encodeSpan(simple(0))];
    const first = (body: Uint8Array, limits = DEFAULT_LIMITS) => decodeProtobuf(body, limits).spans[0]!;

    const whole = first(request({ spans, resource: res, scope: sc }));
    assert.deepEqual(Buffer.from(rawBytesOf(whole.resource)!), Buffer.from(res));
    assert.deepEqual(Buffer.from(rawBytesOf(whole.scope)!), Buffer.from(sc));

    const absent = first(request({ spans }));
    assert.equal(rawBytesOf(absent.resource)?.length, 0);
    assert.equal(rawBytesOf(absent.scope)?.length, 0);

    const cut = first(request({ spans, resource: res, scope: encodeScope({ name: 'a-long-scope-name' }) }), { ...DEFAULT_LIMITS, maxValueLength: 4 });
    assert.equal(rawBytesOf(cut.resource), undefined);
    assert.equal(rawBytesOf(cut.scope), undefined);

    const urls = first(request({ spans, resource: res, resourceSchemaUrl: 'https://r', scope: sc, scopeSchemaUrl: 'https://s' }));
    assert.equal(urls.resource.schemaUrl, 'https://r');
    assert.equal(rawBytesOf(urls.resource), undefined);
    assert.equal(rawBytesOf(urls.scope), undefined);

    // Two Resource messages merge on decode: no one of them is the resource.
    const twice = decodeProtobuf(field(0x0a, concat(field(0x0a, res), field(0x0a, encodeResource({ attributes: [kv('b', { boolValue: true })] })), field(0x12, field(0x12, spans[0]!))))).spans[0]!;
    assert.equal(twice.resource.attributes.length, 2);
    assert.equal(rawBytesOf(twice.resource), undefined);

    // An exporter's field 2047 first in its Resource would read back as a schema URL here.
    const lookalike = first(request({ spans, resource: encodeResource({ attributes: [], schemaUrl: 'https://x' }) }));
    assert.equal(lookalike.resource.schemaUrl, undefined);
    assert.equal(rawBytesOf(lookalike.resource), undefined);
  });

  it('leaves the decoded objects as they were: deep equality, JSON and copies do not see the bytes', () => {
    const [s] = decodeProtobuf(request({ spans: [encodeSpan(simple(0))] })).spans;
    assert.ok(s && rawBytesOf(s.span));
    assert.deepStrictEqual(s.span, simple(0));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(s.span)), s.span);
    assert.equal(rawBytesOf({ ...s.span }), undefined);
    assert.equal(rawBytesOf(structuredClone(s.span)), undefined);
  });
});
