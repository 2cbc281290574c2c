import assert from 'node:assert/strict';
import { test } from 'node:test';
import { traceToOtlpJson } from '../../query/otlp-json.ts';
import { traceView } from '../../query/trace-view.ts';
import { decodeJson } from '../../receive/decode.ts';
import { MAX_FILE_BYTES, openOtlpJson, OtlpFileError } from './otlp-file.ts';

const T1 = 'aa'.repeat(16);
const T2 = 'bb'.repeat(16);
const t0 = 1_764_000_000_000_000_000n;
const at = (ms: number): string => String(t0 + BigInt(ms) * 1_000_000n);

function request(service: string, spans: Array<Record<string, unknown>>) {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: 'test' }, spans }],
    }],
  };
}
const root = { traceId: T1, spanId: '1'.repeat(16), name: 'GET /', kind: 2, startTimeUnixNano: at(0), endTimeUnixNano: at(100) };
const child = {
  traceId: T1, spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), name: 'query', kind: 'SPAN_KIND_CLIENT',
  startTimeUnixNano: at(10), endTimeUnixNano: at(60), status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
  attributes: [{ key: 'db.rows', value: { intValue: '42' } }],
};

test('the download button\'s file opens as the same view the query API serves', () => {
  const stored = decodeJson(JSON.stringify(request('shop', [root, child]))).spans;
  const file = JSON.stringify(traceToOtlpJson(stored));
  const opened = openOtlpJson(file);
  assert.equal(opened.traces.length, 1);
  assert.deepEqual(opened.traces[0], traceView(T1, stored));
  const q = opened.traces[0]?.spans[1];
  assert.deepEqual([q?.name, q?.kind, q?.status, q?.attributes[0]], ['query', 'CLIENT', { code: 'ERROR', message: 'boom' }, { key: 'db.rows', value: 42, type: 'int' }]);
});

test('a Collector file exporter file (one request per line) with two traces opens both, earliest first', () => {
  const later = { ...root, traceId: T2, startTimeUnixNano: at(500), endTimeUnixNano: at(700) };
  const text = `${JSON.stringify(request('b', [later]))}\n${JSON.stringify(request('a', [root, child]))}\n`;
  const opened = openOtlpJson(text);
  assert.deepEqual(opened.traces.map((t) => [t.traceId, t.spans.length, t.summary.services[0]?.name]), [[T1, 2, 'a'], [T2, 1, 'b']]);
});

test('ids in base64 (protobuf\'s default JSON mapping) are read as the same ids', () => {
  const b64 = (hex: string): string => btoa(String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16))));
  const opened = openOtlpJson(JSON.stringify(request('s', [{ ...child, traceId: b64(T1), spanId: b64('2'.repeat(16)), parentSpanId: b64('1'.repeat(16)) }])));
  assert.deepEqual([opened.traces[0]?.traceId, opened.traces[0]?.spans[0]?.spanId, opened.traces[0]?.spans[0]?.parentSpanId], [T1, '2'.repeat(16), '1'.repeat(16)]);
});

test('spans with invalid ids or times are left out and counted', () => {
  const opened = openOtlpJson(JSON.stringify(request('s', [root, { ...child, spanId: 'zz' }, { ...child, spanId: '3'.repeat(16), startTimeUnixNano: 'soon' }])));
  assert.equal(opened.traces[0]?.spans.length, 1);
  assert.equal(opened.rejected, 2);
  assert.match(opened.messages[0] ?? '', /invalid spanId/);
});

test('hostile files give a readable error, never a crash', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"resourceSpans": [', /not JSON/],
    ['{"a":1}\n{"b":', /Line 2 of this file is not JSON/],
    ['[1, 2, 3]', /not OTLP/],
    ['"just a string"', /not OTLP/],
    ['{"data": [{"traceID": "x"}]}', /not OTLP/],
    ['{"resourceSpans": {"not": "an array"}}', /malformed: request.resourceSpans must be an array/],
    ['{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 1}]}]}]}', /No valid spans/],
    ['{"resourceSpans": []}', /holds no spans/],
    [`{"resourceSpans": [${'['.repeat(100_000)}${']'.repeat(100_000)}]}`, /malformed/],
  ];
  for (const [text, message] of cases) assert.throws(() => openOtlpJson(text), (e: unknown) => e instanceof OtlpFileError && message.test(e.message), text.slice(0, 40));
});

test('a file over the size limit is refused before parsing', () => {
  assert.throws(() => openOtlpJson(' '.repeat(MAX_FILE_BYTES + 1)), /larger than 64 MB/);
});
