import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { initTracing } from './init.ts';
import { createLogger } from './logger.ts';
import { withSpan } from './span.ts';

const exporter = new InMemorySpanExporter();
const tracing = initTracing({ serviceName: 'span-test', spanExporter: exporter, simpleProcessor: true });
after(() => tracing.shutdown());
beforeEach(() => exporter.reset());

const finished = async () => {
  await tracing.forceFlush();
  return exporter.getFinishedSpans();
};

describe('withSpan', () => {
  it('returns the value of a synchronous function and ends the span', async () => {
    assert.equal(withSpan('sync', () => 42), 42);
    const [span] = await finished();
    assert.equal(span?.name, 'sync');
    assert.equal(span?.status.code, SpanStatusCode.UNSET);
  });

  it('makes the span active inside the function, so children nest', async () => {
    withSpan('parent', { attributes: { 'order.id': 'o-1' } }, () => withSpan('child', () => undefined));
    const spans = await finished();
    const parent = spans.find((s) => s.name === 'parent');
    const child = spans.find((s) => s.name === 'child');
    assert.equal(child?.parentSpanContext?.spanId, parent?.spanContext().spanId);
    assert.equal(parent?.attributes['order.id'], 'o-1');
  });

  it('records a thrown error, sets ERROR status, ends the span and rethrows', async () => {
    assert.throws(() => withSpan('throws', () => { throw new TypeError('bad input'); }), TypeError);
    const [span] = await finished();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.status.message, 'bad input');
    assert.equal(span?.attributes['error.type'], 'TypeError');
    const event = span?.events.find((e) => e.name === 'exception');
    assert.equal(event?.attributes?.['exception.type'], 'TypeError');
    assert.match(String(event?.attributes?.['exception.stacktrace']), /bad input/);
  });

  it('records a rejection the same way and passes the rejection on', async () => {
    await assert.rejects(withSpan('rejects', async () => Promise.reject(new Error('later'))), /later/);
    const [span] = await finished();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.ok(span?.endTime[0] !== 0);
  });

  it('records thrown non-Error values', async () => {
    assert.throws(() => withSpan('string-throw', () => { throw 'plain string'; }));
    const [span] = await finished();
    assert.equal(span?.status.message, 'plain string');
  });
});

describe('createLogger', () => {
  it('writes JSON lines carrying the active trace_id and span_id', () => {
    const lines: string[] = [];
    const log = createLogger('orders', { write: (l) => lines.push(l) });
    withSpan('logged', (span) => {
      log.info('order created', { order_id: 'o-1', err: new Error('x'), big: 10n });
      const parsed = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
      assert.equal(parsed.msg, 'order created');
      assert.equal(parsed.service, 'orders');
      assert.equal(parsed.trace_id, span.spanContext().traceId);
      assert.equal(parsed.span_id, span.spanContext().spanId);
      assert.equal(parsed.order_id, 'o-1');
      assert.equal(parsed.big, '10');
      assert.equal((parsed.err as { message: string }).message, 'x');
    });
    log.debug('hidden');
    log.warn('outside');
    assert.equal(lines.length, 2);
    assert.equal((JSON.parse(lines[1] ?? '{}') as Record<string, unknown>).trace_id, undefined);
    assert.equal(trace.getActiveSpan(), undefined);
  });
});
