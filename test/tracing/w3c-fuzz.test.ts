/**
 * Property tests of the library's propagator against the W3C specs' own
 * rules (test/support/w3c.ts, an oracle written from the spec text), on every
 * carrier the library reads: HTTP header records, gRPC metadata, Kafka record
 * headers (bytes) and AMQP headers. Real HTTP is covered in w3c-http.test.ts.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { type Context, ROOT_CONTEXT, type TextMapGetter, context, createTraceState, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import {
  amqpHeadersGetter,
  createPropagator,
  grpcMetadataGetter,
  httpHeadersGetter,
  httpHeadersSetter,
  inject,
  kafkaHeadersGetter,
  tracer,
} from '../../packages/tracing/src/index.ts';
import { memoryTracing } from '../support/memory-tracing.ts';
import {
  BAGGAGE_MAX_BYTES,
  BAGGAGE_MAX_MEMBERS,
  TRACEPARENT_OUT,
  TRACESTATE_MAX_MEMBERS,
  isSendableBaggage,
  parseBaggageSpec,
  parseTraceparentSpec,
  parseTracestateSpec,
} from '../support/w3c.ts';
import { baggageFields, traceparentFields, tracestateFields } from '../support/w3c-arbitraries.ts';

// Parent-based sampling, so a propagated sampled flag is the received one.
const tracing = memoryTracing({ serviceName: 'w3c-fuzz', sampler: 'parentbased_always_on' });
after(() => tracing.shutdown());
const propagator = createPropagator();
const RUNS = 2000;
const VALID_TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

type Fields = Record<string, string[]>;
interface Carrier {
  name: string;
  /** Extracts from `fields` in this carrier's wire form; `seen` is what the wire could carry, for the oracle. */
  extract(fields: Fields): { ctx: Context; seen: Fields };
}

const joinEach = (fields: Fields): Fields => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, [v.join(', ')]]));

/** Every carrier the library reads, each fed the same fields in its own wire form. */
const carriers: Carrier[] = [
  {
    // Node's HTTP parser joins repeated fields with ", " (RFC 9110 §5.3).
    name: 'HTTP header record',
    extract: (f) => {
      const seen = joinEach(f);
      const record = Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, v[0]]));
      return { ctx: propagator.extract(ROOT_CONTEXT, record, httpHeadersGetter as TextMapGetter<Record<string, string>>), seen };
    },
  },
  {
    name: 'gRPC metadata',
    extract: (f) => {
      const md = new grpc.Metadata();
      const seen: Fields = {};
      for (const [k, values] of Object.entries(f)) {
        for (const v of values) {
          try {
            md.add(k, v);
            (seen[k] ??= []).push(v);
          } catch {
            // grpc-js refuses values it cannot send (non-ASCII): such a field never arrives.
          }
        }
      }
      return { ctx: propagator.extract(ROOT_CONTEXT, md, grpcMetadataGetter), seen };
    },
  },
  {
    // Kafka allows a header key more than once; each is a field.
    name: 'Kafka headers (bytes)',
    extract: (f) => {
      const map = new Map<Buffer, Buffer>();
      for (const [k, values] of Object.entries(f)) for (const v of values) map.set(Buffer.from(k), Buffer.from(v, 'utf8'));
      return { ctx: propagator.extract(ROOT_CONTEXT, map, kafkaHeadersGetter), seen: f };
    },
  },
  {
    // An AMQP table has one value per key: a bridge joins repeated fields.
    name: 'AMQP headers',
    extract: (f) => {
      const seen = joinEach(f);
      const table = Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, v[0]]));
      return { ctx: propagator.extract(ROOT_CONTEXT, table, amqpHeadersGetter), seen };
    },
  },
];

/** The headers a child span of `ctx` sends on. */
function propagate(ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  const span = tracer().startSpan('child', {}, ctx);
  inject(headers, httpHeadersSetter, trace.setSpan(ctx, span));
  span.end();
  return headers;
}

describe('traceparent (Level 1 and 2) on every carrier matches the spec', () => {
  for (const carrier of carriers) {
    it(`${carrier.name}: accepted or restarted as the spec says; a child keeps the trace id and the random flag as received (${RUNS} cases)`, () => {
      fc.assert(
        fc.property(traceparentFields, (values) => {
          const { ctx, seen } = carrier.extract({ traceparent: values });
          const expected = seen.traceparent ? parseTraceparentSpec(seen.traceparent) : null;
          const sc = trace.getSpanContext(ctx);
          const out = TRACEPARENT_OUT.exec(propagate(ctx).traceparent ?? '');
          assert.ok(out, 'a child always sends a version-00 traceparent with reserved flags zero');
          const outFlags = parseInt(out[3] as string, 16);
          if (expected === null) {
            assert.equal(sc, undefined, `${JSON.stringify(values)} must restart the trace`);
            assert.equal(outFlags & 2, 2, 'a trace id we generate is random: flag 0x02 set');
            return;
          }
          assert.ok(sc, `${JSON.stringify(values)} must be accepted`);
          assert.deepEqual([sc.traceId, sc.spanId, sc.isRemote], [expected.traceId, expected.spanId, true]);
          assert.equal(sc.traceFlags, (expected.sampled ? 1 : 0) | (expected.random ? 2 : 0), 'flags as received, reserved bits zero');
          assert.equal(out[1], expected.traceId);
          assert.notEqual(out[2], expected.spanId, 'parent-id updated');
          assert.equal(outFlags, (expected.sampled ? 1 : 0) | (expected.random ? 2 : 0), 'sampled kept (parent-based), random as received');
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('a grandchild keeps the received random flag too, and a new root sets it', () => {
    for (const flags of ['00', '01', '02', '03']) {
      const ctx = carriers[0]!.extract({ traceparent: [`00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flags}`] }).ctx;
      const child = tracer().startSpan('child', {}, ctx);
      const grand = propagate(trace.setSpan(ctx, child));
      child.end();
      assert.equal(grand.traceparent?.slice(-2), flags);
    }
    const root = propagate(ROOT_CONTEXT);
    assert.match(root.traceparent ?? '', /-03$/);
  });
});

describe('tracestate on every carrier matches the spec', () => {
  for (const carrier of carriers) {
    it(`${carrier.name}: kept whole and in order when valid, discarded whole otherwise, propagated unchanged (${RUNS} cases)`, () => {
      fc.assert(
        fc.property(tracestateFields, (values) => {
          const { ctx, seen } = carrier.extract({ traceparent: [VALID_TP], tracestate: values });
          const expected = seen.tracestate ? parseTracestateSpec(seen.tracestate) : null;
          const want = (expected ?? []).map(([k, v]) => `${k}=${v}`).join(',');
          const state = trace.getSpanContext(ctx)?.traceState;
          assert.equal(state?.serialize() ?? '', want, JSON.stringify(values));
          assert.equal(propagate(ctx).tracestate ?? '', want, 'a child sends the caller list as received');
        }),
        { numRuns: RUNS },
      );
    });
  }

  it(`an entry we add goes first, replaces its old place, and the list stays at ${TRACESTATE_MAX_MEMBERS} members (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(tracestateFields, fc.constantFrom('tracewire', 'rojo', 'a', 'k0'), (values, key) => {
        const ctx = carriers[0]!.extract({ traceparent: [VALID_TP], tracestate: values }).ctx;
        const sc = trace.getSpanContext(ctx);
        assert.ok(sc);
        const base = parseTracestateSpec([values.join(',')]) ?? [];
        // Ours when the caller sent a list; the API's own TraceState when it sent none.
        const mine = (sc.traceState ?? createTraceState()).set(key, 'ours');
        const want = [[key, 'ours'], ...base.filter(([k]) => k !== key)].slice(0, TRACESTATE_MAX_MEMBERS).map(([k, v]) => `${k}=${v}`).join(',');
        const headers: Record<string, string> = {};
        inject(headers, httpHeadersSetter, trace.setSpanContext(ctx, { ...sc, traceState: mine }));
        assert.equal(headers.tracestate, want);
      }),
      { numRuns: RUNS },
    );
  });
});

const BAGGAGE_RUNS = 10_000;
describe('baggage on every carrier matches the W3C Baggage spec', () => {
  it(`extracts exactly the members the spec keeps, within ${BAGGAGE_MAX_MEMBERS} members / ${BAGGAGE_MAX_BYTES} bytes, and sends a valid header back (${BAGGAGE_RUNS} cases)`, () => {
    fc.assert(
      fc.property(baggageFields, (values) => {
        for (const carrier of carriers) {
          const { ctx, seen } = carrier.extract({ baggage: values });
          const expected = seen.baggage ? parseBaggageSpec(seen.baggage) : [];
          const got = (propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([key, e]) => {
            const properties = e.metadata?.toString();
            return properties ? { key, value: e.value, properties } : { key, value: e.value };
          });
          assert.deepEqual(got, expected, `${carrier.name}: ${JSON.stringify(values).slice(0, 300)}`);
          const sent = propagate(ctx).baggage;
          if (expected.length === 0) continue;
          assert.ok(sent !== undefined && isSendableBaggage(sent), `${carrier.name}: sends a valid baggage-string`);
          // What we send reads back as what we received (values, properties, order).
          assert.deepEqual(parseBaggageSpec([sent]), expected.slice(0, parseBaggageSpec([sent]).length));
        }
      }),
      { numRuns: BAGGAGE_RUNS },
    );
  });

  it(`any entries the application sets leave as a valid header of at most ${BAGGAGE_MAX_MEMBERS} members / ${BAGGAGE_MAX_BYTES} bytes that reads back the same (2000 cases)`, () => {
    const key = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ unit: 'binary', maxLength: 60 }), { maxKeys: 250 }), (entries) => {
        const bag = propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }])));
        const headers: Record<string, string> = {};
        inject(headers, httpHeadersSetter, propagation.setBaggage(ROOT_CONTEXT, bag));
        if (headers.baggage === undefined) return;
        assert.ok(isSendableBaggage(headers.baggage));
        for (const { key: k, value } of parseBaggageSpec([headers.baggage])) {
          assert.equal(value, Buffer.from(entries[k] as string, 'utf8').toString('utf8'), k);
        }
      }),
      // The value CI once drew: a leading U+FEFF, which the spec oracle's TextDecoder used to swallow as a byte order mark.
      { numRuns: 2000, examples: [[{ '#': '\uFEFF' }]] },
    );
  });

  it('an oversized header is cut at the member boundary: nothing past the limit is read, on every carrier', () => {
    const pad = (i: number) => `pad${i}=${'x'.repeat(5000)}`;
    const cases: Array<[string, string[]]> = [
      [`${pad(1)},${pad(2)},smuggled=1`, ['pad1']],
      [Array.from({ length: 300 }, (_, i) => `k${i}=v`).join(','), Array.from({ length: 180 }, (_, i) => `k${i}`)],
      [`${'a=1,'.repeat(250_000)}late=1`, ['a']],
      [`${','.repeat(1_000_000)}late=1`, []],
      [`big=${'%E2%82%AC'.repeat(1_000_000)},late=1`, []],
    ];
    for (const [header, keys] of cases) {
      for (const carrier of carriers) {
        const got = propagation.getBaggage(carrier.extract({ baggage: [header] }).ctx)?.getAllEntries().map(([k]) => k) ?? [];
        assert.deepEqual(got, keys, `${carrier.name}: ${header.slice(0, 40)}…`);
      }
    }
    assert.equal(context.active(), ROOT_CONTEXT);
  });
});
