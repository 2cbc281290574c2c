import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AttributeValue, type Attributes, type Link, ROOT_CONTEXT, type SpanContext, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { encodeTraceRequest } from './otlp-encoder.ts';

const official = (spans: ReadableSpan[]): Buffer => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
const ours = (spans: ReadableSpan[]): Buffer => Buffer.from(encodeTraceRequest(spans));

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
/** Strings of any code points, lone surrogates included, short and (rarely) past one-, two- and three-byte lengths. */
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 100, maxLength: 20_000 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 100, maxLength: 300 }) },
);
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 53, -(2 ** 63), 2 ** 63, 2 ** 62, -1, 0, 127, 128, 0xffffffff, 2 ** 32));
const scalar = fc.oneof(text, number, fc.boolean());
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(fc.oneof(text, fc.constant(null)), { maxLength: 5 }) as fc.Arbitrary<AttributeValue> },
  { weight: 1, arbitrary: fc.array(number, { maxLength: 5 }) },
);
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(fc.string({ unit: 'binary', maxLength: 30 }), value, { maxKeys: 12 });
const context: fc.Arbitrary<SpanContext> = fc.record({
  traceId: hex(16),
  spanId: hex(8),
  traceFlags: fc.constantFrom(TraceFlags.SAMPLED, TraceFlags.NONE, 3),
  isRemote: fc.boolean(),
  traceState: fc.option(fc.constantFrom('a=1', 'vendor=x,other=y'), { nil: undefined }).map((s) => (s ? new TraceState(s) : undefined)),
}).map(({ traceState, ...c }) => (traceState ? { ...c, traceState } : c));

const spanSpec = fc.record({
  name: text,
  kind: fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER),
  parent: fc.option(context, { nil: undefined }),
  attributes,
  events: fc.array(fc.record({ name: text, attributes: fc.option(attributes, { nil: undefined }) }), { maxLength: 3 }),
  links: fc.array(fc.record({ context, attributes: fc.option(attributes, { nil: undefined }) }), { maxLength: 3 }),
  status: fc.record({ code: fc.constantFrom(0, 1, 2), message: fc.option(text, { nil: undefined }) }),
  startSeconds: fc.integer({ min: 0, max: 4_000_000_000 }),
  scope: fc.constantFrom(0, 1, 2),
});

/** Real SDK spans: two resources, three scopes, whatever the generator asks of each span. */
type SpanSpec = typeof spanSpec extends fc.Arbitrary<infer T> ? T : never;

function spansFrom(specs: SpanSpec[], resourceAttributes: Attributes): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const processor = { onStart() {}, onEnd: (s: ReadableSpan) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  const providers = [resourceAttributes, { 'service.name': 'other' }].map(
    (attrs) => new BasicTracerProvider({ resource: resourceFromAttributes(attrs), spanProcessors: [processor] }),
  );
  specs.forEach((s, i) => {
    const provider = providers[i % 2] as BasicTracerProvider;
    const tracer = [provider.getTracer('a'), provider.getTracer('b', '1.2.3'), provider.getTracer('c', '', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' })][s.scope];
    const parent = s.parent ? trace.setSpanContext(ROOT_CONTEXT, s.parent) : ROOT_CONTEXT;
    const links: Link[] = s.links.map((l) => (l.attributes ? { context: l.context, attributes: l.attributes } : { context: l.context }));
    const span = tracer!.startSpan(s.name, { kind: s.kind, attributes: s.attributes, links, startTime: [s.startSeconds, 123_456_789] }, parent);
    for (const e of s.events) span.addEvent(e.name, e.attributes, [s.startSeconds + 1, 999_999_999]);
    span.setStatus(s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: s.status.message });
    span.end([s.startSeconds + 2, 1]);
  });
  return ended;
}

describe('OTLP protobuf encoder', () => {
  it('writes the same bytes as the official serializer for any spans the SDK can make', () => {
    fc.assert(
      fc.property(fc.array(spanSpec, { minLength: 1, maxLength: 20 }), attributes, (specs, resourceAttributes) => {
        const spans = spansFrom(specs, resourceAttributes);
        assert.deepEqual(ours(spans), official(spans));
      }),
      { numRuns: 300 },
    );
  });

  it('matches at message lengths where the length prefix grows (127/128 and 16383/16384 bytes)', () => {
    for (let n = 60; n < 17_000; n += n < 200 ? 1 : n > 16_250 && n < 16_450 ? 1 : 97) {
      const spans = spansFrom([{ name: 'x', kind: SpanKind.INTERNAL, parent: undefined, attributes: { k: 'v'.repeat(n) }, events: [], links: [], status: { code: 0, message: undefined }, startSeconds: 1, scope: 0 }], {});
      assert.deepEqual(ours(spans), official(spans), `attribute of ${n} chars`);
    }
  });

  it('grows past its scratch buffer and returns a copy the next request does not overwrite', () => {
    const big = spansFrom(
      Array.from({ length: 600 }, (_, i) => ({ name: `op-${i}`, kind: SpanKind.SERVER, parent: undefined, attributes: { payload: 'p'.repeat(2000), i }, events: [], links: [], status: { code: 0, message: undefined }, startSeconds: i, scope: 0 })),
      { 'service.name': 'big' },
    );
    const first = encodeTraceRequest(big);
    const copy = Buffer.from(first);
    assert.ok(first.length > 1_000_000);
    encodeTraceRequest(big.slice(0, 3));
    assert.deepEqual(Buffer.from(first), copy);
    assert.deepEqual(copy, official(big));
  });

  it('encodes a resource again when it is not the same object, and an empty batch as an empty request', () => {
    const a = spansFrom([{ name: 'x', kind: SpanKind.CLIENT, parent: undefined, attributes: {}, events: [], links: [], status: { code: 2, message: 'bad' }, startSeconds: 5, scope: 1 }], { 'service.name': 'one' });
    const b = spansFrom([{ name: 'x', kind: SpanKind.CLIENT, parent: undefined, attributes: {}, events: [], links: [], status: { code: 2, message: 'bad' }, startSeconds: 5, scope: 1 }], { 'service.name': 'two' });
    assert.deepEqual(ours([...a, ...b]), official([...a, ...b]));
    assert.equal(encodeTraceRequest([]).length, 0);
  });
});
