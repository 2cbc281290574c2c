import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Resource, SpanRecord, StoredSpan } from '../model.ts';
import { toJaegerTrace } from './jaeger-v1.ts';
import { MAX_TRACE_SPANS, sortSpans, traceView } from './trace-view.ts';

const TRACE = 'ab'.repeat(16);
const resource: Resource = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] };
const scope = { name: 'test' };

function stored(spanId: string, parentSpanId: string, start: bigint, end: bigint, extra: Partial<SpanRecord> = {}): StoredSpan {
  const span: SpanRecord = {
    traceId: TRACE, spanId, parentSpanId, name: spanId, kind: 1,
    startTimeUnixNano: String(start), endTimeUnixNano: String(end),
    attributes: [], events: [], links: [], status: { code: 0 }, ...extra,
  };
  return { span, resource, scope, service: 'svc' };
}

/** s0 <- s1 <- ...: each span starts 1 ns after its parent and ends 1 ns before it. */
function chain(n: number): StoredSpan[] {
  const base = 1_700_000_000_000_000_000n;
  return Array.from({ length: n }, (_, i) => stored(`s${i}`, i === 0 ? '' : `s${i - 1}`, base + BigInt(i), base + BigInt(2 * n - i)));
}

describe('the trace view', () => {
  // The old depth walk was quadratic: 20k spans took 4.9 s, so 100k would take minutes and hit the test timeout.
  it('summarises a chain as deep as the span bound, with every span on the critical path', () => {
    const view = traceView(TRACE, chain(MAX_TRACE_SPANS));
    assert.equal(view.summary.depth, MAX_TRACE_SPANS);
    assert.equal(view.summary.spanCount, MAX_TRACE_SPANS);
    assert.equal(view.criticalPath.length, MAX_TRACE_SPANS);
    assert.equal(view.truncated, undefined);
  });

  it('serves a trace above the bound truncated to its first spans by start time, and says so', () => {
    const view = traceView(TRACE, chain(10).reverse(), 4);
    assert.deepEqual(view.truncated, { spanCount: 10, servedSpans: 4 });
    assert.deepEqual(view.spans.map((s) => s.spanId), ['s0', 's1', 's2', 's3']);
    assert.equal(view.summary.spanCount, 4);
    const jaeger = toJaegerTrace(TRACE, chain(10), 4);
    assert.equal(jaeger.spans.length, 4);
    assert.match(jaeger.warnings?.[0] ?? '', /trace truncated: showing the first 4 of 10 spans/);
    assert.equal(toJaegerTrace(TRACE, chain(3), 4).warnings, null);
  });

  it('applies the default bound of 100,000 spans', () => {
    const view = traceView(TRACE, chain(MAX_TRACE_SPANS + 5));
    assert.deepEqual(view.truncated, { spanCount: MAX_TRACE_SPANS + 5, servedSpans: MAX_TRACE_SPANS });
  });

  it('shows spans that are their own parent or lie on a parent loop instead of failing', () => {
    const view = traceView(TRACE, [stored('self', 'self', 1n, 5n), stored('a', 'b', 2n, 9n), stored('b', 'a', 3n, 4n)]);
    assert.equal(view.spans.length, 3);
    assert.equal(view.summary.depth, 2);
    assert.deepEqual(new Set(view.criticalPath), new Set(['self', 'a', 'b']));
  });
});

describe('Jaeger references', () => {
  it('give the parent as CHILD_OF, first, and every link as FOLLOWS_FROM, also for a consumer below its producer', () => {
    const producer = stored('p', '', 1n, 10n, { kind: 4 });
    const consumer = stored('c', 'p', 5n, 50n, { kind: 5, links: [{ traceId: 'cd'.repeat(16), spanId: 'l1', attributes: [] }] });
    const spans = toJaegerTrace(TRACE, [producer, consumer]).spans;
    assert.deepEqual(spans.find((s) => s.spanID === 'c')?.references, [
      { refType: 'CHILD_OF', traceID: TRACE, spanID: 'p' },
      { refType: 'FOLLOWS_FROM', traceID: 'cd'.repeat(16), spanID: 'l1' },
    ]);
    assert.deepEqual(spans.find((s) => s.spanID === 'p')?.references, []);
  });
});

describe('span order', () => {
  const at = (id: string, start: string): StoredSpan => {
    const s = stored(id, '', 0n, 0n);
    return { ...s, span: { ...s.span, startTimeUnixNano: start } };
  };

  it('sorts spans by start time to the nanosecond, then by span id', () => {
    const spans = [at('c', '1700000000000000002'), at('b', '1700000000000000001'), at('a', '1700000000000000002'), at('d', '1699999999999999999')];
    assert.deepEqual(sortSpans(spans).map((s) => s.span.spanId), ['d', 'b', 'a', 'c']);
  });

  it('still sorts when a start is not a plain decimal or the starts lie centuries apart', () => {
    assert.deepEqual(sortSpans([at('b', '5'), at('a', 'x'), at('c', '1')]).map((s) => s.span.spanId), ['a', 'c', 'b']);
    assert.deepEqual(sortSpans([at('b', '9000000000000000000'), at('a', '1')]).map((s) => s.span.spanId), ['a', 'b']);
  });
});
