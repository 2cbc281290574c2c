import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Message } from '@platformatic/kafka';
import { processBatchTraced, processTraced, sendTraced, withSpan } from '../../packages/tracing/src/index.ts';
import { type Collector, consumeTopic, createTopic, testProducer, uniqueName } from '../support/kafka.ts';
import { HOSTILE_CONTEXT_HEADERS, eventually, memoryTracing, parentId } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'kafka-test' });
const tracer = trace.getTracer('kafka-test');
const producer = testProducer();
const collectors: Collector[] = [];

after(async () => {
  await Promise.all(collectors.map((c) => c.close()));
  await producer.close();
  await tracing.shutdown();
});
beforeEach(() => tracing.reset());

/** Starts a consumer on a fresh topic whose records are processed by `process`. */
async function topicWith(process: (m: Message) => Promise<unknown>): Promise<{ topic: string; done: Message[] }> {
  const topic = uniqueName('tw-test');
  await createTopic(topic);
  const done: Message[] = [];
  collectors.push(
    await consumeTopic(topic, async (m) => {
      try {
        await process(m);
      } finally {
        done.push(m);
      }
    }),
  );
  return { topic, done };
}

const withTenant = <T>(fn: () => Promise<T>): Promise<T> =>
  context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: 'acme' } })), fn);

describe('Kafka propagation', () => {
  it('producer -> Kafka -> consumer: CONSUMER span is a child of the PRODUCER span, with messaging attributes', async () => {
    let tenant: string | undefined;
    const { topic, done } = await topicWith((m) =>
      processTraced(
        m,
        async () => {
          tenant = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
          await withSpan('handle-event', () => undefined);
        },
        { groupId: 'notifications' },
      ),
    );
    await withTenant(() =>
      withSpan('create-order', () =>
        sendTraced((messages) => producer.send({ messages }), [{ topic, key: 'order-1', value: '{"id":"order-1"}' }], {
          clientId: 'orders',
        }),
      ),
    );
    await eventually(() => (done.length === 1 ? true : undefined), 20_000, 'message consumed');

    const root = await tracing.one('create-order');
    const send = await tracing.one(`send ${topic}`);
    const processSpan = await tracing.one(`process ${topic}`);
    const child = await tracing.one('handle-event');
    const traceId = root.spanContext().traceId;
    for (const s of [send, processSpan, child]) assert.equal(s.spanContext().traceId, traceId);
    assert.equal(send.kind, SpanKind.PRODUCER);
    assert.equal(processSpan.kind, SpanKind.CONSUMER);
    assert.equal(parentId(send), root.spanContext().spanId);
    assert.equal(parentId(processSpan), send.spanContext().spanId);
    assert.equal(parentId(child), processSpan.spanContext().spanId);
    assert.equal(send.attributes['messaging.system'], 'kafka');
    assert.equal(send.attributes['messaging.operation.type'], 'send');
    assert.equal(send.attributes['messaging.destination.name'], topic);
    assert.equal(send.attributes['messaging.kafka.message.key'], 'order-1');
    assert.equal(send.attributes['messaging.destination.partition.id'], '0');
    assert.equal(send.attributes['messaging.kafka.offset'], 0);
    assert.equal(processSpan.attributes['messaging.operation.type'], 'process');
    assert.equal(processSpan.attributes['messaging.consumer.group.name'], 'notifications');
    assert.equal(processSpan.attributes['messaging.kafka.offset'], 0);
    assert.equal(processSpan.attributes['messaging.destination.partition.id'], '0');
    assert.equal(processSpan.attributes['messaging.kafka.message.key'], 'order-1');
    assert.equal(processSpan.status.code, SpanStatusCode.UNSET);
    assert.equal(tenant, 'acme');
    const headerKeys = [...(done[0]?.headers.keys() ?? [])].map(String);
    assert.ok(headerKeys.includes('traceparent') && headerKeys.includes('baggage'), `wire header keys: ${headerKeys}`);
  });

  it('link mode starts a new trace that links to the producer span and keeps the baggage', async () => {
    let tenant: string | undefined;
    const { topic, done } = await topicWith((m) =>
      processTraced(m, () => {
        tenant = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
      }, { mode: 'link' }),
    );
    await withTenant(() => sendTraced((messages) => producer.send({ messages }), [{ topic, value: 'x' }]));
    await eventually(() => (done.length === 1 ? true : undefined), 20_000, 'message consumed');
    const send = await tracing.one(`send ${topic}`);
    const processSpan = await tracing.one(`process ${topic}`);
    assert.notEqual(processSpan.spanContext().traceId, send.spanContext().traceId);
    assert.equal(parentId(processSpan), undefined);
    assert.deepEqual(
      processSpan.links.map((l) => l.context.spanId),
      [send.spanContext().spanId],
    );
    assert.equal(tenant, 'acme');
  });

  it('batch processing makes one CONSUMER span linked to every message', async () => {
    const topic = uniqueName('tw-batch');
    await createTopic(topic);
    await Promise.all(
      [1, 2, 3].map((i) => withSpan(`order-${i}`, () => sendTraced((messages) => producer.send({ messages }), [{ topic, value: String(i) }]))),
    );
    const batch: Message[] = [];
    collectors.push(await consumeTopic(topic, (m) => void batch.push(m)));
    await eventually(() => (batch.length === 3 ? true : undefined), 20_000, 'three messages');
    await processBatchTraced(batch, () => undefined, { groupId: 'batcher' });

    const processSpan = await tracing.one(`process ${topic}`);
    assert.equal(processSpan.kind, SpanKind.CONSUMER);
    assert.equal(processSpan.attributes['messaging.batch.message_count'], 3);
    const sends = (await tracing.spans()).filter((s) => s.name === `send ${topic}`);
    assert.deepEqual(
      processSpan.links.map((l) => l.context.spanId).sort(),
      sends.map((s) => s.spanContext().spanId).sort(),
    );
  });

  it('a failing handler records the error on the CONSUMER span and rethrows to the caller', async () => {
    const errors: unknown[] = [];
    const { topic, done } = await topicWith((m) =>
      processTraced(m, () => {
        throw new Error('cannot process');
      }).catch((e: unknown) => void errors.push(e)),
    );
    await sendTraced((messages) => producer.send({ messages }), [{ topic, value: 'x' }]);
    await eventually(() => (done.length === 1 ? true : undefined), 20_000, 'message consumed');
    const processSpan = await tracing.one(`process ${topic}`);
    assert.equal(processSpan.status.code, SpanStatusCode.ERROR);
    assert.equal(processSpan.status.message, 'cannot process');
    assert.equal(errors.length, 1);
  });

  it('malformed, oversized, binary or missing context headers yield a new root, never a crash', async () => {
    const { topic, done } = await topicWith((m) => processTraced(m, () => undefined));
    const cases: Array<Record<string, string | Buffer>> = [
      ...HOSTILE_CONTEXT_HEADERS,
      { traceparent: Buffer.from([0xff, 0xfe, 0x00, 0x01]) },
      { TRACEPARENT: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      {},
    ];
    await producer.send({ messages: cases.map((headers) => ({ topic, value: 'x', headers })) as never });
    await eventually(() => (done.length === cases.length ? true : undefined), 20_000, 'all hostile messages consumed');
    const spans = (await tracing.spans()).filter((s) => s.name === `process ${topic}`);
    assert.equal(spans.length, cases.length);
    for (const s of spans) assert.equal(parentId(s), undefined);
  });
  it('one send to several partitions: each PRODUCER span names the partition and offset of its record as consumed', async () => {
    const topic = uniqueName('tw-positions');
    await createTopic(topic, 3);
    const partitions = [0, 1, 2, 0, 2, 0];
    const messages = partitions.map((partition, i) => ({ topic, partition, key: `k${i}`, value: `v${i}` }));
    await sendTraced((m) => producer.send({ messages: m }), messages);
    // Read back from the broker: a client retry on a fresh topic may have written copies, so
    // the oracle is "the record at the span's position is this span's record".
    const consumed: Message[] = [];
    collectors.push(await consumeTopic(topic, (m) => void consumed.push(m)));
    const keyAt = (partition: string, offset: unknown) =>
      consumed.find((r) => String(r.partition) === partition && Number(r.offset) === offset)?.key.toString();
    const sends = (await tracing.spans()).filter((s) => s.name === `send ${topic}`);
    assert.equal(sends.length, messages.length);
    for (const [i, partition] of partitions.entries()) {
      const span = sends.find((s) => s.attributes['messaging.kafka.message.key'] === `k${i}`);
      assert.equal(span?.attributes['messaging.destination.partition.id'], String(partition));
      const offset = span?.attributes['messaging.kafka.offset'];
      assert.equal(typeof offset, 'number', `k${i} has an offset`);
      await eventually(() => (keyAt(String(partition), offset) === `k${i}` ? true : undefined), 20_000, `k${i} at ${partition}/${offset}`);
    }
  });

  it('records spread by key over partitions the answer cannot tell apart get no offset rather than a guessed one', async () => {
    const topic = uniqueName('tw-spread');
    await createTopic(topic, 3);
    const messages = Array.from({ length: 12 }, (_, i) => ({ topic, key: `order-${i}`, value: String(i) }));
    const result = await sendTraced((m) => producer.send({ messages: m }), messages);
    assert.ok((result.offsets?.length ?? 0) > 1, 'the keys landed on several partitions');
    const sends = (await tracing.spans()).filter((s) => s.name === `send ${topic}`);
    assert.equal(sends.length, 12);
    for (const s of sends) assert.equal(s.attributes['messaging.kafka.offset'], undefined);
  });

  it('per-message parents: one request, each PRODUCER span a child of its own message’s context, each consumer in that trace', async () => {
    const { topic, done } = await topicWith((m) => processTraced(m, () => undefined));
    const parents = ['row-1', 'row-2', 'row-3'].map((name) => {
      const span = tracer.startSpan(name);
      span.end();
      return trace.setSpan(ROOT_CONTEXT, span);
    });
    let requests = 0;
    await sendTraced(
      (m) => {
        requests++;
        return producer.send({ messages: m });
      },
      parents.map((_, i) => ({ topic, key: `row-${i + 1}`, value: String(i) })),
      { parentOf: (_m, i) => parents[i] ?? ROOT_CONTEXT },
    );
    assert.equal(requests, 1);
    await eventually(() => (done.length === 3 ? true : undefined), 20_000, 'three records consumed');
    const spans = await tracing.spans();
    for (const [i, parent] of parents.entries()) {
      const parentSpan = trace.getSpanContext(parent);
      const send = spans.find((s) => s.name === `send ${topic}` && s.attributes['messaging.kafka.message.key'] === `row-${i + 1}`);
      assert.ok(send && parentSpan);
      assert.equal(send.spanContext().traceId, parentSpan.traceId);
      assert.equal(parentId(send), parentSpan.spanId);
      const processed = spans.find((s) => s.name === `process ${topic}` && parentId(s) === send.spanContext().spanId);
      assert.ok(processed, `consumer of row-${i + 1} continues its trace`);
      assert.equal(send.attributes['messaging.kafka.offset'], i, 'single-partition topic: offsets known');
    }
  });
});
