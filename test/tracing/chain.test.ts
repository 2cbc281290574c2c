import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consumeTraced, initTracing, sendTraced, tracedFetch, withSpan } from '../../packages/tracing/src/index.ts';
import type { TracingHandle } from '../../packages/tracing/src/index.ts';
import { AMQP_URL, type Rabbit, connectRabbit } from '../support/amqp.ts';
import { type Child, startChild } from '../support/child.ts';
import { startEchoServer } from '../support/echo-grpc.ts';
import { KAFKA_BROKERS, createTopic, testProducer, uniqueName } from '../support/kafka.ts';
import { type OtlpSink, type SinkSpan, startOtlpSink } from '../support/otlp-sink.ts';

/*
 * Process A (this test) and process B (fixtures/chain-service.ts), one trace:
 * A journey -> A HTTP client -> B HTTP server -> B gRPC client -> A gRPC server
 * -> A Kafka producer -> B Kafka consumer -> B RabbitMQ publisher -> A RabbitMQ consumer -> A finish
 */
let sink: OtlpSink;
let tracing: TracingHandle;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let rabbit: Rabbit;
let b: Child;
const producer = testProducer();
const topic = uniqueName('tw-chain');
const exchange = uniqueName('tw-chain-ex');
const queue = uniqueName('tw-chain-q');

before(async () => {
  sink = await startOtlpSink();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  tracing = initTracing({ serviceName: 'chain-a', batch: { scheduledDelayMillis: 100 } });
  await createTopic(topic);
  rabbit = await connectRabbit();
  await rabbit.channel.assertExchange(exchange, 'topic', { autoDelete: true });
  await rabbit.channel.assertQueue(queue, { autoDelete: true });
  await rabbit.channel.bindQueue(queue, exchange, 'chain.*');
  await consumeTraced(rabbit.channel, queue, () => withSpan('finish', () => undefined));
  echo = await startEchoServer(async () => {
    await sendTraced((messages) => producer.send({ messages }), [{ topic, key: 'k', value: 'hop' }]);
  });
  b = await startChild('test/fixtures/chain-service.ts', {
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    ECHO_TARGET: echo.target,
    AMQP_URL,
    KAFKA_BROKERS: KAFKA_BROKERS[0] ?? '127.0.0.1:9092',
    TOPIC: topic,
    GROUP: uniqueName('chain-b'),
    EXCHANGE: exchange,
  });
});

after(async () => {
  await b?.stop();
  await echo?.close();
  await rabbit?.close();
  await producer.close();
  await tracing?.shutdown();
  await sink?.close();
});

describe('one trace across HTTP, gRPC, Kafka and RabbitMQ in two processes', () => {
  it('links every hop to its parent, with the right kinds and services, and no orphans', async () => {
    const traceId = await withSpan('journey', async (span) => {
      const res = await tracedFetch(`http://127.0.0.1:${String(b.ready.port)}/start`, { method: 'POST' });
      assert.equal(res.status, 200);
      await res.text();
      return span.spanContext().traceId;
    });
    // Ten spans from two processes, each exporting on its own batch schedule.
    await sink.waitFor((all) => all.filter((s) => s.traceId === traceId).length >= 10, 30_000, 'the whole chain');
    const trace = sink.trace(traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const find = (service: string, name: string, kind: SinkSpan['kind']): SinkSpan => {
      const s = trace.find((x) => x.service === service && x.name === name && x.kind === kind);
      assert.ok(s, `missing ${service} ${kind} ${name}; have ${trace.map((x) => `${x.service}:${x.kind}:${x.name}`).join(', ')}`);
      return s;
    };
    const chain = [
      find('chain-a', 'journey', 'INTERNAL'),
      find('chain-a', 'POST', 'CLIENT'),
      find('chain-b', 'POST /start', 'SERVER'),
      find('chain-b', 'tracewire.test.Echo/Say', 'CLIENT'),
      find('chain-a', 'tracewire.test.Echo/Say', 'SERVER'),
      find('chain-a', `send ${topic}`, 'PRODUCER'),
      find('chain-b', `process ${topic}`, 'CONSUMER'),
      find('chain-b', `publish ${exchange}`, 'PRODUCER'),
      find('chain-a', `process ${exchange}`, 'CONSUMER'),
      find('chain-a', 'finish', 'INTERNAL'),
    ];
    assert.equal(chain[0]?.parentSpanId, undefined);
    for (let i = 1; i < chain.length; i++) {
      assert.equal(chain[i]?.parentSpanId, chain[i - 1]?.spanId, `${chain[i]?.name} is a child of ${chain[i - 1]?.name}`);
    }
    for (const s of trace) {
      if (s.parentSpanId !== undefined) assert.ok(byId.has(s.parentSpanId), `orphan ${s.service}:${s.name}`);
      assert.equal(s.status.code, 'UNSET', `${s.name} succeeded`);
    }
    assert.equal(trace.length, chain.length);
  });

  it('process B shuts down cleanly on SIGTERM (exit code 0)', async () => {
    assert.equal(await b.stop(), 0);
  });
});
