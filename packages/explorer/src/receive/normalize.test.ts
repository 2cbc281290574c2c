import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRequest } from './normalize.ts';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

function request(span: Record<string, unknown>) {
  return { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [span] }] }] };
}

test('reads ids and bytes values given as bytes (protobuf) without Node APIs, as the browser needs', () => {
  const big = new Uint8Array(100_000).map((_, i) => i % 251);
  const { spans } = normalizeRequest(request({
    traceId: bytes('0af7651916cd43dd8448eb211c80319c'), spanId: bytes('b7ad6b7169203331'), parentSpanId: bytes('00f067aa0ba902b7'),
    name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2',
    attributes: [{ key: 'blob', value: { bytesValue: big } }, { key: 'small', value: { bytesValue: bytes('ff00') } }],
  }), { maxAttributes: 10, maxValueLength: 1_000_000, maxEvents: 1, maxLinks: 1, maxValueDepth: 8 });
  const s = spans[0]?.span;
  assert.deepEqual([s?.traceId, s?.spanId, s?.parentSpanId], ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', '00f067aa0ba902b7']);
  assert.equal(s?.attributes[0]?.value.bytesValue, Buffer.from(big).toString('base64'));
  assert.equal(s?.attributes[1]?.value.bytesValue, '/wA=');
});
