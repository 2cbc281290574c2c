import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../model.ts';
import { testSpan } from './test-spans.ts';
import { type TraceRow, mergeSummary } from './trace-summary.ts';

function span(id: string, parent: string, service: string, start: number, end: number, error = false): StoredSpan {
  return testSpan(
    10,
    0,
    {
      spanId: id.padStart(16, '0'), parentSpanId: parent ? parent.padStart(16, '0') : '', name: `op-${id}`,
      startTimeUnixNano: String(start), endTimeUnixNano: String(end), status: { code: error ? 2 : 0 },
    },
    service,
  );
}

function rowOf(u: ReturnType<typeof mergeSummary>): TraceRow {
  return {
    tseq: 1, start_ns: u.startNs, end_ns: u.endNs, root_service: u.rootService, root_name: u.rootName, root_known: u.rootKnown ? 1 : 0,
    span_count: u.spanCount, error_count: u.errorCount, services: u.servicesJson,
  };
}

describe('trace summary row', () => {
  it('names the earliest span as root until the parentless one arrives, then keeps that one', () => {
    const first = mergeSummary(undefined, [span('2', '1', 'orders', 200, 300), span('3', '2', 'inventory', 250, 260, true)]);
    assert.deepEqual([first.rootName, first.rootKnown, first.startNs, first.endNs, first.durationNs], ['op-2', false, 200n, 300n, 100n]);
    const second = mergeSummary(rowOf(first), [span('1', '', 'gateway', 100, 400)]);
    assert.deepEqual([second.rootService, second.rootName, second.rootKnown], ['gateway', 'op-1', true]);
    const third = mergeSummary(rowOf(second), [span('4', '1', 'gateway', 50, 60)]);
    assert.equal(third.rootName, 'op-1', 'an earlier span does not replace a known root');
    assert.deepEqual([third.startNs, third.endNs, third.durationNs], [50n, 400n, 350n]);
  });

  it('adds up spans, errors and spans per service across writes', () => {
    const first = mergeSummary(undefined, [span('1', '', 'gateway', 1, 2), span('2', '1', 'orders', 1, 2, true)]);
    const second = mergeSummary(rowOf(first), [span('3', '2', 'orders', 1, 2, true)]);
    assert.deepEqual([second.spanCount, second.errorCount, JSON.parse(second.servicesJson)], [3, 2, { gateway: 1, orders: 2 }]);
  });

  it('never gives a negative duration to a span that ends before it starts', () => {
    assert.equal(mergeSummary(undefined, [span('1', '', 'x', 500, 100)]).durationNs, 0n);
  });
});
