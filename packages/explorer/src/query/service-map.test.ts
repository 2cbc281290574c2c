import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpanKindNumber, StoredSpan } from '../model.ts';
import { buildServiceMap } from './service-map.ts';

function span(service: string, id: string, parent: string, kind: SpanKindNumber, system?: string, error = false): StoredSpan {
  return {
    service,
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scope: { name: 't' },
    span: {
      traceId: 't1', spanId: id, parentSpanId: parent, name: id, kind, startTimeUnixNano: '1', endTimeUnixNano: '2',
      attributes: system ? [{ key: 'messaging.system', value: { stringValue: system } }] : [],
      events: [], links: [], status: { code: error ? 2 : 0 },
    },
  } as StoredSpan;
}

describe('buildServiceMap', () => {
  it('tells Kafka from RabbitMQ edges between the same two services, each with its own error rate', () => {
    const map = buildServiceMap([
      [
        span('orders', 'p1', '', 4, 'kafka'),
        span('shipping', 'c1', 'p1', 5, 'kafka'),
        span('orders', 'p2', '', 4, 'rabbitmq'),
        span('shipping', 'c2', 'p2', 5, 'rabbitmq', true),
        span('orders', 'p3', '', 4, 'rabbitmq'),
        span('shipping', 'c3', 'p3', 5, 'rabbitmq'),
      ],
    ]);
    assert.deepEqual(
      map.edges.map((e) => [e.kind, e.system, e.count, e.errorRate]),
      [
        ['messaging', 'kafka', 1, 0],
        ['messaging', 'rabbitmq', 2, 0.5],
      ],
    );
  });

  it('leaves system out when neither end names its broker, and on calls', () => {
    const map = buildServiceMap([[span('a', 'x', '', 4), span('b', 'y', 'x', 5), span('a', 'z', '', 3), span('c', 'w', 'z', 2)]]);
    assert.deepEqual(map.edges.map((e) => ('system' in e ? e.system : 'none')), ['none', 'none']);
  });
});
