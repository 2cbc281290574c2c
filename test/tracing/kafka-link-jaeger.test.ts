/**
 * A Kafka consumer in link mode, exported over OTLP to a real explorer and
 * read back through its Jaeger v1 API the way Grafana reads it (parent =
 * first CHILD_OF reference): the consumer's new trace is one tree with one
 * root, and its tie to the producer is a FOLLOWS_FROM reference into the
 * producer's trace, which is one tree too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import { type Explorer, startExplorer } from '../../packages/explorer/src/index.ts';
import { type TracingHandle, initTracing, processTraced, sendTraced, withSpan } from '../../packages/tracing/src/index.ts';
import { type JaegerRef, type JaegerSpanLike, childOfTree } from '../support/child-of-tree.ts';
import { type Collector, consumeTopic, createTopic, testProducer, uniqueName } from '../support/kafka.ts';
import { eventually } from '../support/memory-tracing.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-link-'));
let explorer: Explorer;
let tracing: TracingHandle;
const producer = testProducer();
let collector: Collector | undefined;

before(async () => {
  explorer = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0, onError: () => undefined });
  tracing = initTracing({ serviceName: 'link-test', protocol: 'http/protobuf', endpoint: `http://127.0.0.1:${explorer.httpPort}`, simpleProcessor: true });
});
after(async () => {
  await collector?.close();
  await producer.close();
  await tracing.shutdown();
  await explorer.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function jaegerSpans(traceId: string, count: number): Promise<JaegerSpanLike[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await tracing.forceFlush();
    const res = await fetch(`${explorer.url}/api/traces/${traceId}`);
    const spans = res.ok ? (((await res.json()) as { data: Array<{ spans: JaegerSpanLike[] }> }).data[0]?.spans ?? []) : [];
    if (spans.length >= count) return spans;
    if (Date.now() > deadline) throw new Error(`trace ${traceId} has ${spans.length} of ${count} spans`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a link-mode consumer through the Jaeger v1 API', () => {
  it('starts one tree with one root whose link to the producer is FOLLOWS_FROM', async () => {
    const topic = uniqueName('tw-link');
    await createTopic(topic);
    let consumerTrace = '';
    collector = await consumeTopic(topic, (m) =>
      processTraced(m, async () => {
        consumerTrace = trace.getActiveSpan()?.spanContext().traceId ?? '';
        await withSpan('handle-event', () => undefined);
      }, { mode: 'link', groupId: 'linker' }),
    );
    const producerTrace = await withSpan('create-order', async (span) => {
      await sendTraced((messages) => producer.send({ messages }), [{ topic, value: 'x' }]);
      return span.spanContext().traceId;
    });
    await eventually(() => (consumerTrace ? true : undefined), 20_000, 'message consumed');

    const produced = await jaegerSpans(producerTrace, 2);
    const send = produced.find((s) => s.operationName === `send ${topic}`);
    assert.ok(send);
    assert.deepEqual(childOfTree(produced).roots.map((s) => s.operationName), ['create-order']);

    const consumed = await jaegerSpans(consumerTrace, 2);
    const tree = childOfTree(consumed);
    assert.deepEqual(tree.roots.map((s) => s.operationName), [`process ${topic}`]);
    assert.equal(tree.reachable, consumed.length);
    const processSpan = tree.roots[0] as JaegerSpanLike;
    assert.deepEqual(processSpan.references, [{ refType: 'FOLLOWS_FROM', traceID: producerTrace, spanID: send.spanID } satisfies JaegerRef]);
  });
});
