import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { createPropagator, extract, inject } from './propagation.ts';
import { httpHeadersGetter, httpHeadersSetter, kafkaHeadersGetter, kafkaHeadersSetter } from './carriers.ts';

const SPAN = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true };
const ctx = propagation.setBaggage(
  trace.setSpanContext(ROOT_CONTEXT, SPAN),
  propagation.createBaggage({ tenant: { value: 'acme' }, 'user.email': { value: 'a@b.c' } }),
);

describe('W3C propagator', () => {
  it('writes lowercase traceparent, baggage on the wire and reads them back', () => {
    const carrier: Record<string, unknown> = {};
    const p = createPropagator();
    p.inject(ctx, carrier, httpHeadersSetter);
    assert.equal(carrier.traceparent, `00-${SPAN.traceId}-${SPAN.spanId}-01`);
    assert.match(String(carrier.baggage), /tenant=acme/);
    const back = p.extract(ROOT_CONTEXT, carrier as Record<string, string>, httpHeadersGetter);
    assert.equal(trace.getSpanContext(back)?.traceId, SPAN.traceId);
    assert.equal(propagation.getBaggage(back)?.getEntry('user.email')?.value, 'a@b.c');
  });

  it('with an allow-list, only allowed baggage keys leave the process; incoming baggage is still read', () => {
    const p = createPropagator(['tenant']);
    const carrier: Record<string, unknown> = {};
    p.inject(ctx, carrier, httpHeadersSetter);
    assert.equal(carrier.baggage, 'tenant=acme');
    const back = p.extract(ROOT_CONTEXT, { baggage: 'tenant=acme,secret=1' }, httpHeadersGetter);
    assert.equal(propagation.getBaggage(back)?.getEntry('secret')?.value, '1');
  });

  it('Kafka carriers write UTF-8 bytes and read string or byte keys', () => {
    const headers = new Map<unknown, unknown>();
    createPropagator().inject(ctx, headers, kafkaHeadersSetter);
    assert.ok(Buffer.isBuffer(headers.get('traceparent')));
    const asBytes = new Map([...headers].map(([k, v]) => [Buffer.from(String(k)), v]));
    const back = createPropagator().extract(ROOT_CONTEXT, asBytes, kafkaHeadersGetter);
    assert.equal(trace.getSpanContext(back)?.spanId, SPAN.spanId);
  });

  it('an extracted context re-sent as it is keeps its flags, random bit included, and its tracestate', () => {
    const p = createPropagator();
    const received = { traceparent: `00-${SPAN.traceId}-${SPAN.spanId}-02`, tracestate: 'rojo=1,congo=2' };
    const back = p.extract(ROOT_CONTEXT, received, httpHeadersGetter);
    const carrier: Record<string, unknown> = {};
    p.inject(back, carrier, httpHeadersSetter);
    assert.deepEqual(carrier, received);
  });

  it('never throws into the application: inject and extract swallow a failing propagator or carrier', () => {
    propagation.setGlobalPropagator({
      inject: () => {
        throw new Error('closed carrier');
      },
      extract: () => {
        throw new Error('odd carrier');
      },
      fields: () => [],
    });
    try {
      assert.doesNotThrow(() => inject({}, httpHeadersSetter, ctx));
      assert.equal(extract({}, httpHeadersGetter, ctx), ctx);
    } finally {
      propagation.disable();
    }
  });
});
