import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Consumer } from '@platformatic/kafka';
import { createProducer } from '@tracewire/service-common';
import { sendTraced, withSpan } from '@tracewire/tracing';
import { KafkaSendBatcher } from '../../services/orders/src/outbox/kafka-batcher.ts';
import { KAFKA_BROKERS, createTopic, uniqueName } from '../support/kafka.ts';
import { memoryTracing, parentId } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'batcher-test' });
const producer = createProducer('orders-batcher-test', KAFKA_BROKERS);
after(async () => {
  await producer.close();
  await tracing.shutdown();
});

/** Counts produce requests and the most ever in flight at once. */
function countRequests(): { requests: number; maxInFlight: number } {
  const counts = { requests: 0, maxInFlight: 0 };
  let inFlight = 0;
  const send = producer.send.bind(producer);
  producer.send = (async (options: Parameters<typeof send>[0]) => {
    counts.requests++;
    counts.maxInFlight = Math.max(counts.maxInFlight, ++inFlight);
    try {
      return await send(options);
    } finally {
      inFlight--;
    }
  }) as typeof producer.send;
  return counts;
}

describe('outbox Kafka batcher', () => {
  it('merges concurrent traced sends into one request, and each PRODUCER span still gets its own parent, partition and offset', async () => {
    const topic = uniqueName('tw-outbox');
    await createTopic(topic, 3);
    const counts = countRequests();
    const batcher = new KafkaSendBatcher(() => producer);
    const keys = Array.from({ length: 12 }, (_, i) => `order-${i}`);
    await Promise.all(
      keys.map((key) =>
        withSpan(`create ${key}`, () =>
          sendTraced((messages) => batcher.send(messages), [{ topic, key, value: key }], { clientId: 'orders' }),
        ),
      ),
    );
    assert.equal(counts.maxInFlight, 1, 'never two requests in flight');
    assert.ok(counts.requests < keys.length, `merged: ${counts.requests} requests for ${keys.length} sends`);

    const spans = await tracing.spans();
    const sends = spans.filter((s) => s.name === `send ${topic}`);
    assert.equal(sends.length, keys.length);
    const offsetsByPartition = new Map<string, number[]>();
    for (const key of keys) {
      const root = spans.find((s) => s.name === `create ${key}`);
      const send = sends.find((s) => s.attributes['messaging.kafka.message.key'] === key);
      assert.ok(root && send);
      assert.equal(parentId(send), root.spanContext().spanId, `${key} under its own parent`);
      const partition = send.attributes['messaging.destination.partition.id'];
      const offset = send.attributes['messaging.kafka.offset'];
      assert.equal(typeof partition, 'string', `${key} has a partition`);
      assert.equal(typeof offset, 'number', `${key} has an offset`);
      offsetsByPartition.set(String(partition), [...(offsetsByPartition.get(String(partition)) ?? []), Number(offset)]);
    }
    // The broker's own count per partition: the spans' offsets are exactly 0..n-1 of each.
    const consumer = new Consumer({ groupId: uniqueName('tw-offsets'), clientId: 'batcher-test', bootstrapBrokers: KAFKA_BROKERS });
    try {
      const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
      ends.forEach((end, partition) => {
        const offsets = (offsetsByPartition.get(String(partition)) ?? []).sort((a, b) => a - b);
        assert.deepEqual(offsets, Array.from({ length: Number(end) }, (_, i) => i), `partition ${partition}`);
      });
      assert.ok(offsetsByPartition.size > 1, 'the keys spread over several partitions');
    } finally {
      await consumer.close();
    }
  });
});
