import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, type Link, trace } from '@opentelemetry/api';
import { withSpan } from '../../packages/tracing/src/index.ts';
import { memoryTracing } from '../support/memory-tracing.ts';

describe('span limits from the standard OTEL_SPAN_*_LIMIT settings', () => {
  it('caps attribute count and value length, events, links and per-event/link attributes', async () => {
    Object.assign(process.env, {
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '16',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '32',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '5',
      OTEL_SPAN_LINK_COUNT_LIMIT: '3',
      OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2',
      OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '2',
    });
    const tracing = memoryTracing({ serviceName: 'limits' });
    try {
      const links: Link[] = Array.from({ length: 10 }, (_, i) => ({
        context: { traceId: `${'1'.repeat(31)}${i}`, spanId: `${'2'.repeat(15)}${i}`, traceFlags: 1 },
        attributes: { a: 1, b: 2, c: 3 },
      }));
      withSpan('huge', { links }, (span) => {
        for (let i = 0; i < 100; i++) span.setAttribute(`attr.${i}`, 'x'.repeat(1000));
        for (let i = 0; i < 50; i++) span.addEvent(`event-${i}`, { a: 1, b: 2, c: 3 });
      });
      const span = await tracing.one('huge');
      assert.equal(Object.keys(span.attributes).length, 16);
      assert.equal(String(span.attributes['attr.0']).length, 32);
      assert.equal(span.events.length, 5);
      assert.equal(span.droppedEventsCount, 45);
      assert.equal(span.links.length, 3);
      assert.equal(span.droppedLinksCount, 7);
      assert.equal(span.droppedAttributesCount, 84);
      for (const e of span.events) assert.equal(Object.keys(e.attributes ?? {}).length, 2);
      for (const l of span.links) assert.equal(Object.keys(l.attributes ?? {}).length, 2);
      assert.equal(trace.getSpan(ROOT_CONTEXT), undefined);
    } finally {
      await tracing.shutdown();
    }
  });
});
