import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Resource, SpanRecord, StoredSpan } from '../model.ts';
import { expandCompactView } from '../ui/lib/compact-trace.ts';
import { traceView } from './trace-view.ts';
import { compactTraceView } from './trace-view-compact.ts';

const TRACE = 'cd'.repeat(16);
const BASE = 1_700_000_000_123_456_789n;

/** Two copies of one resource, as two stored chunks give, and a second service. */
const gatewayA: Resource = { attributes: [{ key: 'service.name', value: { stringValue: 'gateway' } }, { key: 'host', value: { stringValue: 'h1' } }] };
const gatewayB: Resource = { attributes: [{ key: 'service.name', value: { stringValue: 'gateway' } }, { key: 'host', value: { stringValue: 'h1' } }] };
const orders: Resource = { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] };

function stored(spanId: string, parentSpanId: string, start: bigint, end: bigint, resource: Resource, extra: Partial<SpanRecord> = {}): StoredSpan {
  const span: SpanRecord = {
    traceId: TRACE, spanId, parentSpanId, name: `op ${spanId}`, kind: 2,
    startTimeUnixNano: String(BASE + start), endTimeUnixNano: String(BASE + end),
    attributes: [{ key: 'n', value: { intValue: '7' } }], events: [], links: [], status: { code: 0 }, ...extra,
  };
  const service = resource === orders ? 'orders' : 'gateway';
  return { span, resource, scope: spanId === 'c' ? { name: 'lib', version: '1.2' } : { name: 'lib' }, service };
}

const spans: StoredSpan[] = [
  stored('a', '', 0n, 1_000n, gatewayA),
  stored('b', 'a', 10n, 900n, gatewayB, { kind: 3, status: { code: 2, message: 'boom' } }),
  stored('c', 'b', 20n, 500n, orders, {
    events: [{ timeUnixNano: String(BASE + 30n), name: 'retry', attributes: [{ key: 'try', value: { intValue: '2' } }] }],
  }),
  stored('d', 'b', 600n, 550n, orders, { links: [{ traceId: 'ef'.repeat(16), spanId: '12'.repeat(8), attributes: [] }] }),
  stored('e', 'missing', 40n, 60n, orders, { attributes: [{ key: 'empty', value: {} }, { key: 'ok', value: { boolValue: true } }] }),
];

describe('the compact trace view', () => {
  it('expands to exactly the full view: spans, critical path, summary', () => {
    assert.deepEqual(expandCompactView(compactTraceView(TRACE, spans)), traceView(TRACE, spans));
  });

  it('survives JSON, as it is sent', () => {
    const wire = JSON.parse(JSON.stringify(compactTraceView(TRACE, spans)));
    assert.deepEqual(expandCompactView(wire), JSON.parse(JSON.stringify(traceView(TRACE, spans))));
  });

  it('sends each distinct resource and scope once, however many chunks hold a copy', () => {
    const view = compactTraceView(TRACE, spans);
    assert.deepEqual(view.resources.map((r) => r.service), ['gateway', 'orders']);
    assert.deepEqual(view.scopes, [{ name: 'lib' }, { name: 'lib', version: '1.2' }]);
  });

  it('leaves out trailing empty events, links and status message', () => {
    const rows = compactTraceView(TRACE, spans).spans;
    assert.equal(rows.find((r) => r[0] === 'a')?.length, 10);
    assert.equal(rows.find((r) => r[0] === 'c')?.length, 11);
    assert.equal(rows.find((r) => r[0] === 'd')?.length, 12);
    assert.equal(rows.find((r) => r[0] === 'b')?.length, 13);
  });

  it('is truncated like the full view, and says so', () => {
    const view = compactTraceView(TRACE, spans, 2);
    assert.deepEqual(view.truncated, { spanCount: 5, servedSpans: 2 });
    assert.deepEqual(expandCompactView(view), traceView(TRACE, spans, 2));
  });

  it('is a third of the full view or less for spans that differ only in ids and times', () => {
    const many = Array.from({ length: 2_000 }, (_, i) =>
      stored(`s${i}`, i === 0 ? '' : 's0', BigInt(i), BigInt(i + 100), i % 2 ? gatewayA : gatewayB));
    const full = JSON.stringify(traceView(TRACE, many)).length;
    const compact = JSON.stringify(compactTraceView(TRACE, many)).length;
    assert.ok(compact * 3 <= full, `compact ${compact} B, full ${full} B`);
  });
});
