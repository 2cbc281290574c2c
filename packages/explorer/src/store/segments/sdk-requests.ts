/**
 * Test support: OTLP requests as real exporters send them, from spans made
 * with the SDK (random names, attributes of every SDK type, parents, links,
 * events, status, two resources and two scopes) and serialized by the
 * official ProtobufTraceSerializer. Shared by the codec's and the scanner's
 * property tests.
 */
import { type Attributes, type AttributeValue, type Link, ROOT_CONTEXT, type SpanContext, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';

const validId = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((b) => Buffer.from(b).toString('hex'))
    .filter((h) => !/^0+$/.test(h));

const sdkText = fc.string({ unit: 'binary', maxLength: 30 });
const sdkValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(sdkText, fc.integer(), fc.double(), fc.constantFrom(2 ** 53, -(2 ** 63), 2 ** 63, -1, 0), fc.boolean()) },
  { weight: 1, arbitrary: fc.array(fc.oneof(sdkText, fc.constant(null)), { maxLength: 4 }) as fc.Arbitrary<AttributeValue> },
  { weight: 1, arbitrary: fc.array(fc.integer(), { maxLength: 4 }) },
);
export const sdkAttributes: fc.Arbitrary<Attributes> = fc.dictionary(sdkText, sdkValue, { maxKeys: 8 });
const sdkContext: fc.Arbitrary<SpanContext> = fc
  .record({
    traceId: validId(16),
    spanId: validId(8),
    traceFlags: fc.constantFrom(TraceFlags.SAMPLED, TraceFlags.NONE, 3),
    isRemote: fc.boolean(),
    traceState: fc.option(fc.constantFrom('a=1', 'vendor=x,other=y'), { nil: undefined }),
  })
  .map(({ traceState, ...c }) => (traceState ? { ...c, traceState: new TraceState(traceState) } : c));
const sdkSpec = fc.record({
  name: sdkText,
  kind: fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER),
  parent: fc.option(sdkContext, { nil: undefined }),
  attributes: sdkAttributes,
  events: fc.array(fc.record({ name: sdkText, attributes: fc.option(sdkAttributes, { nil: undefined }) }), { maxLength: 3 }),
  links: fc.array(fc.record({ context: sdkContext, attributes: fc.option(sdkAttributes, { nil: undefined }) }), { maxLength: 3 }),
  status: fc.record({ code: fc.constantFrom(0, 1, 2), message: fc.option(sdkText, { nil: undefined }) }),
  startSeconds: fc.integer({ min: 0, max: 4_000_000_000 }),
  scope: fc.constantFrom(0, 1),
});
type SdkSpec = typeof sdkSpec extends fc.Arbitrary<infer T> ? T : never;

/** Real SDK spans under two resources and two scopes (neither with a schema URL: OTLP puts it outside the message). */
function sdkSpans(specs: SdkSpec[], resourceAttributes: Attributes): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const processor = { onStart() {}, onEnd: (s: ReadableSpan) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  const providers = [resourceAttributes, { 'service.name': 'other', 'process.pid': 42 }].map(
    (attrs) => new BasicTracerProvider({ resource: resourceFromAttributes(attrs), spanProcessors: [processor] }),
  );
  specs.forEach((s, i) => {
    const provider = providers[i % 2] as BasicTracerProvider;
    const tracer = s.scope === 0 ? provider.getTracer('a') : provider.getTracer('b', '1.2.3');
    const parent = s.parent ? trace.setSpanContext(ROOT_CONTEXT, s.parent) : ROOT_CONTEXT;
    const links: Link[] = s.links.map((l) => (l.attributes ? { context: l.context, attributes: l.attributes } : { context: l.context }));
    const sp = tracer.startSpan(s.name, { kind: s.kind, attributes: s.attributes, links, startTime: [s.startSeconds, 123_456_789] }, parent);
    for (const e of s.events) sp.addEvent(e.name, e.attributes, [s.startSeconds + 1, 999_999_999]);
    sp.setStatus(s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: s.status.message });
    sp.end([s.startSeconds + 2, 1]);
  });
  return ended;
}

const officialRequest = (spans: ReadableSpan[]): Uint8Array => ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
/** One export request of 1-12 SDK spans. */
export const sdkRequests: fc.Arbitrary<Uint8Array> = fc.tuple(fc.array(sdkSpec, { minLength: 1, maxLength: 12 }), sdkAttributes).map(([specs, attrs]) => officialRequest(sdkSpans(specs, attrs)));
