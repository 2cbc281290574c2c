/**
 * `exportInWorker`: spans serialised on the calling thread are sent from a
 * worker thread, with the same guarantees as the default exporter: shutdown
 * exports every queued span, a full queue counts drops, an unreachable
 * collector counts failures, and an idle worker never keeps a process alive.
 * The receiver decodes each request with the explorer's OTLP protobuf decoder.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { decodeProtobuf } from '../../packages/explorer/src/index.ts';
import { initTracing, withSpan } from '../../packages/tracing/src/index.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../fixtures/worker-export-child.ts', import.meta.url));

interface Received {
  service: string;
  name: string;
}

let server: http.Server;
let endpoint: string;
const received: Received[] = [];
const contentTypes = new Set<string>();

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      contentTypes.add(String(req.headers['content-type']));
      for (const s of decodeProtobuf(Buffer.concat(chunks)).spans) received.push({ service: s.service, name: s.span.name });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const from = (service: string): Received[] => received.filter((s) => s.service === service);

describe('exporting from a worker thread (exportInWorker)', () => {
  it('shutdown() sends every span still queued through the worker, as OTLP/HTTP protobuf', async () => {
    const tracing = initTracing({
      serviceName: 'worker-queued',
      endpoint,
      exportInWorker: true,
      batch: { scheduledDelayMillis: 60_000, maxExportBatchSize: 64 },
    });
    for (let i = 0; i < 300; i++) withSpan(`work-${i}`, () => undefined);
    assert.equal(from('worker-queued').length, 0, 'nothing sent before shutdown');
    await tracing.shutdown();
    assert.deepEqual(
      from('worker-queued').map((s) => s.name).sort(),
      Array.from({ length: 300 }, (_, i) => `work-${i}`).sort(),
    );
    assert.deepEqual(tracing.stats(), { exported: 300, failed: 0, dropped: 0, queued: 0 });
    assert.deepEqual([...contentTypes], ['application/x-protobuf']);
  });

  it('forceFlush() returns once the worker has delivered what was queued', async () => {
    const tracing = initTracing({ serviceName: 'worker-flushed', endpoint, exportInWorker: true, batch: { scheduledDelayMillis: 60_000 } });
    for (let i = 0; i < 20; i++) withSpan('work', () => undefined);
    await tracing.forceFlush();
    assert.equal(from('worker-flushed').length, 20);
    assert.equal(tracing.stats().exported, 20);
    await tracing.shutdown();
  });

  it('a full queue drops and counts spans, as with the default exporter', async () => {
    const tracing = initTracing({
      serviceName: 'worker-flooded',
      endpoint: 'http://127.0.0.1:1',
      exportInWorker: true,
      exportTimeoutMillis: 200,
      batch: { scheduledDelayMillis: 60_000, maxQueueSize: 10, maxExportBatchSize: 10 },
    });
    for (let i = 0; i < 100; i++) withSpan('work', () => undefined);
    assert.ok(tracing.stats().queued <= 10, `queued ${tracing.stats().queued}`);
    await tracing.shutdown();
    const { exported, failed, dropped, queued } = tracing.stats();
    assert.equal(dropped, 90);
    assert.equal(queued, 0);
    assert.equal(exported + failed + dropped, 100, 'every span is accounted for');
  });

  it('an unreachable collector neither blocks nor crashes; failures are counted', async () => {
    const tracing = initTracing({
      serviceName: 'worker-lonely',
      endpoint: 'http://127.0.0.1:1',
      exportInWorker: true,
      exportTimeoutMillis: 500,
      batch: { scheduledDelayMillis: 10 },
    });
    for (let i = 0; i < 20; i++) withSpan('work', () => undefined);
    await tracing.forceFlush();
    await tracing.shutdown();
    assert.deepEqual(tracing.stats(), { exported: 0, failed: 20, dropped: 0, queued: 0 });
  });

  it('a process that awaits shutdown() and returns loses no span: the worker holds the process only while sending', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, endpoint, '500', 'shutdown'], { timeout: 60_000 });
    assert.equal(from('worker-child').length, 500);
    assert.deepEqual(JSON.parse(stdout), { exported: 500, failed: 0, dropped: 0, queued: 0 });
  });

  it('an idle worker does not keep a process alive that never calls shutdown()', async () => {
    // execFile resolves only once the child has exited by itself; a worker that held the event loop would hit the timeout.
    await run(process.execPath, ['--import', 'tsx', CHILD, endpoint, '5', 'exit'], { timeout: 60_000 });
  });
});
