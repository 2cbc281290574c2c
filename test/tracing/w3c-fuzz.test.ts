import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { type Context, ROOT_CONTEXT, type TextMapGetter, TraceFlags, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import {
  amqpHeadersGetter,
  createPropagator,
  grpcMetadataGetter,
  httpHeadersGetter,
  httpHeadersSetter,
  kafkaHeadersGetter,
} from '../../packages/tracing/src/index.ts';
import {
  BAGGAGE_MAX_BYTES,
  BAGGAGE_MAX_MEMBERS,
  TRACESTATE_KEY,
  TRACESTATE_MAX_MEMBERS,
  TRACESTATE_VALUE,
  parseTraceparentSpec,
} from '../support/w3c.ts';

const propagator = createPropagator();
const RUNS = 2000;

/** Every carrier the library reads, each fed the same header values in its own wire form. */
const carriers: Array<{ name: string; extract(headers: Record<string, string>): Context }> = [
  {
    name: 'HTTP',
    extract: (h) => propagator.extract(ROOT_CONTEXT, h, httpHeadersGetter as TextMapGetter<Record<string, string>>),
  },
  {
    name: 'gRPC metadata',
    extract: (h) => {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(h)) {
        try {
          md.set(k, v);
        } catch {
          // grpc-js refuses values it cannot send; such a value never arrives.
        }
      }
      return propagator.extract(ROOT_CONTEXT, md, grpcMetadataGetter);
    },
  },
  {
    name: 'Kafka headers (bytes)',
    extract: (h) =>
      propagator.extract(
        ROOT_CONTEXT,
        new Map(Object.entries(h).map(([k, v]) => [Buffer.from(k), Buffer.from(v, 'utf8')])),
        kafkaHeadersGetter,
      ),
  },
  {
    name: 'AMQP headers',
    extract: (h) => propagator.extract(ROOT_CONTEXT, h, amqpHeadersGetter),
  },
];

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const validTraceparent = fc
  .tuple(hex(2), hex(32), hex(16), hex(2))
  .map(([v, t, s, f]) => `${v === 'ff' ? '00' : v}-${t}-${s}-${f}`);
/** Valid values, then mutated: case flips, cut, extended, characters replaced, zeros. */
const traceparent = fc.oneof(
  validTraceparent,
  validTraceparent.map((v) => v.toUpperCase()),
  fc.tuple(validTraceparent, fc.nat(60)).map(([v, n]) => v.slice(0, n)),
  fc.tuple(validTraceparent, fc.string({ maxLength: 20 })).map(([v, tail]) => `${v}-${tail}`),
  fc.tuple(validTraceparent, fc.nat(54), fc.string({ minLength: 1, maxLength: 1 })).map(([v, i, c]) => v.slice(0, i) + c + v.slice(i + 1)),
  fc.tuple(hex(16), hex(2)).map(([s, f]) => `00-${'0'.repeat(32)}-${s}-${f}`),
  fc.tuple(hex(32), hex(2)).map(([t, f]) => `00-${t}-${'0'.repeat(16)}-${f}`),
  fc.tuple(hex(32), hex(16)).map(([t, s]) => `ff-${t}-${s}-01`),
  fc.string({ maxLength: 80 }),
);

describe('traceparent on every carrier matches the W3C Trace Context spec', () => {
  for (const carrier of carriers) {
    it(`${carrier.name}: extracted span context == spec reading (${RUNS} cases)`, () => {
      fc.assert(
        fc.property(traceparent, (value) => {
          const expected = parseTraceparentSpec(value);
          const sc = trace.getSpanContext(carrier.extract({ traceparent: value }));
          if (expected === null) {
            assert.equal(sc, undefined, `"${value}" must be rejected`);
          } else {
            assert.ok(sc, `"${value}" must be accepted`);
            assert.equal(sc.traceId, expected.traceId);
            assert.equal(sc.spanId, expected.spanId);
            assert.equal(sc.isRemote, true);
            assert.equal((sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED, expected.sampled);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});

const tsKey = fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,20}$/);
const tsValue = fc.stringMatching(/^[\x21-\x2b\x2d-\x3c\x3e-\x7e]{1,30}$/);
const tsMember = fc.oneof(
  fc.tuple(tsKey, tsValue).map(([k, v]) => `${k}=${v}`),
  fc.string({ maxLength: 30 }),
  fc.constant(''),
  fc.constant('UPPER=1'),
);

describe('tracestate', () => {
  it(`keeps only valid members, at most ${TRACESTATE_MAX_MEMBERS}, never throws (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.array(tsMember, { maxLength: 60 }), fc.constantFrom(',', ' , ', ',,'), (members, sep) => {
        const ctx = carriers[0]!.extract({
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          tracestate: members.join(sep),
        });
        const state = trace.getSpanContext(ctx)?.traceState;
        const entries = state ? state.serialize().split(',').filter(Boolean) : [];
        assert.ok(entries.length <= TRACESTATE_MAX_MEMBERS, `${entries.length} members kept`);
        for (const entry of entries) {
          const eq = entry.indexOf('=');
          assert.match(entry.slice(0, eq), TRACESTATE_KEY);
          assert.match(entry.slice(eq + 1), TRACESTATE_VALUE);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

const bKey = fc.stringMatching(/^[A-Za-z0-9!#$&'*+.^_`|~-]{1,20}$/);
describe('baggage', () => {
  it(`round-trips valid entries and respects ${BAGGAGE_MAX_MEMBERS} members / ${BAGGAGE_MAX_BYTES} bytes (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.dictionary(bKey, fc.string({ maxLength: 60 }), { maxKeys: 250 }), (entries) => {
        const bag = propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }])));
        const headers: Record<string, string> = {};
        propagator.inject(propagation.setBaggage(ROOT_CONTEXT, bag), headers, httpHeadersSetter);
        const header = headers.baggage ?? '';
        assert.ok(Buffer.byteLength(header) <= BAGGAGE_MAX_BYTES, `${Buffer.byteLength(header)} bytes`);
        for (const carrier of carriers) {
          const back = propagation.getBaggage(carrier.extract(headers));
          const got = back?.getAllEntries() ?? [];
          assert.ok(got.length <= BAGGAGE_MAX_MEMBERS);
          for (const [k, v] of got) assert.equal(v.value, entries[k], `${carrier.name}: ${k}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it(`arbitrary baggage text never throws and yields at most ${BAGGAGE_MAX_MEMBERS} entries (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (raw) => {
        for (const carrier of carriers) {
          const got = propagation.getBaggage(carrier.extract({ baggage: raw }))?.getAllEntries() ?? [];
          assert.ok(got.length <= BAGGAGE_MAX_MEMBERS);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
