import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, context, propagation } from '@opentelemetry/api';
import { consumeTraced, publishTraced, withSpan } from '../../packages/tracing/src/index.ts';
import { type Rabbit, connectRabbit } from '../support/amqp.ts';
import { uniqueName } from '../support/kafka.ts';
import { HOSTILE_CONTEXT_HEADERS, eventually, memoryTracing, parentId } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'amqp-test' });
let rabbit: Rabbit;

before(async () => {
  rabbit = await connectRabbit();
});
/** Dead-letter queues that never had a consumer: auto-delete never fires for them, so they are deleted here. */
const deadLetterQueues: string[] = [];
after(async () => {
  for (const dlq of deadLetterQueues) await rabbit.channel.deleteQueue(dlq).catch(() => {});
  await rabbit.close();
  await tracing.shutdown();
});
beforeEach(() => tracing.reset());

/** A topic exchange bound to a fresh auto-deleted queue with a dead-letter queue behind it. */
async function topology(): Promise<{ exchange: string; queue: string; dlq: string }> {
  const exchange = uniqueName('tw-ex');
  const queue = uniqueName('tw-q');
  const dlq = `${queue}.dlq`;
  deadLetterQueues.push(dlq);
  const ch = rabbit.channel;
  await ch.assertExchange(exchange, 'topic', { autoDelete: true });
  await ch.assertExchange(`${exchange}.dlx`, 'fanout', { autoDelete: true });
  await ch.assertQueue(dlq, { autoDelete: true });
  await ch.bindQueue(dlq, `${exchange}.dlx`, '');
  await ch.assertQueue(queue, { autoDelete: true, deadLetterExchange: `${exchange}.dlx` });
  await ch.bindQueue(queue, exchange, 'order.*');
  return { exchange, queue, dlq };
}

describe('RabbitMQ propagation', () => {
  it('publisher -> RabbitMQ -> consumer: one trace, PRODUCER parent of CONSUMER, ack recorded, baggage intact', async () => {
    const { exchange, queue } = await topology();
    let tenant: string | undefined;
    let body = '';
    await consumeTraced(rabbit.channel, queue, async (msg) => {
      body = msg.content.toString();
      tenant = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
      await withSpan('create-shipment', () => undefined);
    });
    const bag = propagation.createBaggage({ tenant: { value: 'acme' } });
    await context.with(propagation.setBaggage(context.active(), bag), () =>
      withSpan('create-order', () =>
        publishTraced(rabbit.confirm, exchange, 'order.created', Buffer.from('{"id":1}'), { messageId: 'm-1' }),
      ),
    );
    await eventually(() => (body ? true : undefined), 10_000, 'delivery');

    const root = await tracing.one('create-order');
    const publish = await tracing.one(`publish ${exchange}`);
    const processSpan = await tracing.one(`process ${exchange}`);
    const child = await tracing.one('create-shipment');
    const traceId = root.spanContext().traceId;
    for (const s of [publish, processSpan, child]) assert.equal(s.spanContext().traceId, traceId);
    assert.equal(publish.kind, SpanKind.PRODUCER);
    assert.equal(processSpan.kind, SpanKind.CONSUMER);
    assert.equal(parentId(publish), root.spanContext().spanId);
    assert.equal(parentId(processSpan), publish.spanContext().spanId);
    assert.equal(parentId(child), processSpan.spanContext().spanId);
    assert.equal(publish.attributes['messaging.system'], 'rabbitmq');
    assert.equal(publish.attributes['messaging.destination.name'], exchange);
    assert.equal(publish.attributes['messaging.rabbitmq.destination.routing_key'], 'order.created');
    assert.equal(publish.attributes['messaging.operation.type'], 'send');
    assert.equal(publish.attributes['messaging.message.id'], 'm-1');
    assert.equal(processSpan.attributes['messaging.operation.type'], 'process');
    assert.equal(processSpan.attributes['messaging.destination.subscription.name'], queue);
    assert.equal(typeof processSpan.attributes['messaging.rabbitmq.message.delivery_tag'], 'number');
    assert.equal(processSpan.attributes['tracewire.amqp.outcome'], 'ack');
    assert.equal(processSpan.status.code, SpanStatusCode.UNSET);
    assert.equal(tenant, 'acme');
    assert.equal(body, '{"id":1}');
  });

  it('a failing handler is requeued once, then rejected to the dead-letter queue with its trace context', async () => {
    const { exchange, queue, dlq } = await topology();
    let attempts = 0;
    await consumeTraced(rabbit.channel, queue, () => {
      attempts++;
      throw new Error('shipping backend down');
    });
    const dead: Array<Record<string, unknown> | undefined> = [];
    await rabbit.channel.consume(dlq, (m) => m && dead.push(m.properties.headers as Record<string, unknown>), { noAck: true });
    await withSpan('create-order', () => publishTraced(rabbit.confirm, exchange, 'order.created', Buffer.from('x')));
    await eventually(() => (dead.length === 1 ? true : undefined), 10_000, 'dead-lettered message');
    assert.equal(attempts, 2);

    const publish = await tracing.one(`publish ${exchange}`);
    const processSpans = (await tracing.spans()).filter((s) => s.name === `process ${exchange}`);
    assert.deepEqual(processSpans.map((s) => s.attributes['tracewire.amqp.outcome']).sort(), ['nack', 'nack_requeue']);
    for (const s of processSpans) {
      assert.equal(s.status.code, SpanStatusCode.ERROR);
      assert.equal(parentId(s), publish.spanContext().spanId);
    }
    const traceparent = String(dead[0]?.traceparent);
    assert.equal(traceparent.split('-')[1], publish.spanContext().traceId);
  });

  it('malformed or wrongly typed headers yield a new root and an ack, never a crash', async () => {
    const { exchange, queue } = await topology();
    const seen: number[] = [];
    await consumeTraced(rabbit.channel, queue, (msg) => void seen.push(msg.fields.deliveryTag));
    const cases: Array<Record<string, unknown>> = [
      ...HOSTILE_CONTEXT_HEADERS,
      { traceparent: 42 },
      { traceparent: { nested: true } },
      { traceparent: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'] },
      { baggage: null },
    ];
    for (const headers of cases) rabbit.channel.publish(exchange, 'order.x', Buffer.from('x'), { headers });
    await eventually(() => (seen.length === cases.length ? true : undefined), 10_000, 'all deliveries');
    const spans = (await tracing.spans()).filter((s) => s.name === `process ${exchange}`);
    assert.equal(spans.length, cases.length);
    for (const s of spans) {
      assert.equal(parentId(s), undefined);
      assert.equal(s.attributes['tracewire.amqp.outcome'], 'ack');
    }
  });
});
