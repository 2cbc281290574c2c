import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amqpHeadersGetter, kafkaHeadersGetter } from './carriers.ts';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('Kafka header getter', () => {
  it('reads a header whose key and value arrive as bytes, among others of the same length', () => {
    const headers = new Map<unknown, unknown>([
      [bytes('tracestatx'), bytes('no')],
      [bytes('traceparent'), bytes(TP)],
      [bytes('event-id'), bytes('e1')],
    ]);
    assert.equal(kafkaHeadersGetter.get(headers, 'traceparent'), TP);
    assert.equal(kafkaHeadersGetter.get(headers, 'tracestate'), undefined, 'same length, other bytes');
  });

  it('reads string keys and Uint8Array keys and values alike', () => {
    // A view into a larger buffer, as decoders hand out.
    const u8 = new Uint8Array(bytes('xxbaggage')).subarray(2);
    const headers = new Map<unknown, unknown>([
      ['traceparent', TP],
      [u8, new Uint8Array(bytes('k=v'))],
    ]);
    assert.equal(kafkaHeadersGetter.get(headers, 'traceparent'), TP);
    assert.equal(kafkaHeadersGetter.get(headers, 'baggage'), 'k=v');
  });

  it('returns every value of a repeated key, so the propagator can refuse the pair', () => {
    const headers = new Map<unknown, unknown>([
      [bytes('traceparent'), bytes(TP)],
      [bytes('traceparent'), bytes(TP.replace('-01', '-00'))],
    ]);
    assert.deepEqual(kafkaHeadersGetter.get(headers, 'traceparent'), [TP, TP.replace('-01', '-00')]);
  });

  it('treats values that are not text or bytes as absent', () => {
    const headers = new Map<unknown, unknown>([
      [bytes('traceparent'), 42],
      [bytes('baggage'), { nested: true }],
      [7, bytes('x')],
    ]);
    assert.equal(kafkaHeadersGetter.get(headers, 'traceparent'), undefined);
    assert.equal(kafkaHeadersGetter.get(headers, 'baggage'), undefined);
    assert.deepEqual(kafkaHeadersGetter.keys(headers), ['traceparent', 'baggage']);
  });

  it('reads a plain record by its own keys only, never the prototype', () => {
    const record: Record<string, unknown> = { traceparent: bytes(TP), baggage: 'a=b' };
    assert.equal(kafkaHeadersGetter.get(record, 'traceparent'), TP);
    assert.equal(kafkaHeadersGetter.get(record, 'baggage'), 'a=b');
    assert.equal(kafkaHeadersGetter.get(record, 'constructor'), undefined);
    assert.equal(kafkaHeadersGetter.get(record, '__proto__'), undefined);
  });
});

describe('AMQP header getter', () => {
  it('reads strings and bytes, and nothing from a message without headers', () => {
    assert.equal(amqpHeadersGetter.get({ traceparent: TP }, 'traceparent'), TP);
    assert.equal(amqpHeadersGetter.get({ traceparent: bytes(TP) }, 'traceparent'), TP);
    assert.equal(amqpHeadersGetter.get(undefined, 'traceparent'), undefined);
    assert.deepEqual(amqpHeadersGetter.keys(undefined), []);
  });
});
