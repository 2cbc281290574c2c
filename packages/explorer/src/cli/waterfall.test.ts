import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiSpan, TraceView } from '../api-types.ts';
import { traceView } from '../query/trace-view.ts';
import type { StoredSpan } from '../model.ts';
import { renderWaterfall } from './waterfall.ts';

const BASE = 1_700_000_000_000_000_000n;

function span(id: string, parent: string | null, startMs: number, endMs: number, extra: Partial<ApiSpan> = {}): ApiSpan {
  return {
    spanId: id, parentSpanId: parent, name: id, kind: 'INTERNAL', service: 'svc',
    startNs: String(BASE + BigInt(startMs) * 1_000_000n), endNs: String(BASE + BigInt(endMs) * 1_000_000n),
    durationNs: String((endMs - startMs) * 1_000_000), status: { code: 'UNSET' }, attributes: [], resource: [],
    scope: { name: 't' }, events: [], links: [], ...extra,
  };
}

function view(spans: ApiSpan[], criticalPath: string[] = []): TraceView {
  return {
    traceId: 'ab'.repeat(16), spans, criticalPath,
    summary: { durationNs: '100000000', depth: 3, spanCount: spans.length, errorCount: 1, services: [{ name: 'svc', spanCount: spans.length }] },
  };
}

test('prints a header and one row per span with guides, kind, bar, duration and status', () => {
  const out = renderWaterfall(view([
    span('root', null, 0, 100, { kind: 'SERVER', service: 'gateway' }),
    span('a', 'root', 0, 50, { kind: 'CLIENT' }),
    span('a1', 'a', 10, 40, { status: { code: 'ERROR' } }),
    span('b', 'root', 50, 100),
  ], ['root', 'b']), { width: 10 }).split('\n');
  assert.equal(out[0], `trace ${'ab'.repeat(16)}  100 ms  4 spans  1 services  depth 3  1 errors`);
  assert.equal(out[3], 'gateway  root [server]  |██████████|     100 ms  ok');
  assert.equal(out[4], '├─ svc  a [client]      |▒▒▒▒▒     |      50 ms  ok');
  assert.equal(out[5], '│  └─ svc  a1           | ▒▒▒      |      30 ms  ERROR');
  assert.equal(out[6], '└─ svc  b               |     █████|      50 ms  ok');
});

test('says why a span is a root when it names a parent', () => {
  const out = renderWaterfall(view([span('x', 'x', 0, 10), span('o', 'gone', 0, 5)]), { width: 0 });
  assert.match(out, /svc {2}x \(self-parent\)/);
  assert.match(out, /svc {2}o \(missing-parent\)/);
});

test('marks a truncated trace in the header', () => {
  const v = view([span('a', null, 0, 1)]);
  v.truncated = { spanCount: 200_000, servedSpans: 100_000 };
  assert.match(renderWaterfall(v), /^truncated: showing the first 100000 of 200000 spans$/m);
});

test('prints a 100,000-deep chain with guides that stop widening', () => {
  const stored: StoredSpan[] = Array.from({ length: 100_000 }, (_, i) => ({
    span: {
      traceId: 'ab'.repeat(16), spanId: `s${i}`, parentSpanId: i === 0 ? '' : `s${i - 1}`, name: 'step', kind: 1,
      startTimeUnixNano: String(BASE + BigInt(i)), endTimeUnixNano: String(BASE + BigInt(200_000 - i)),
      attributes: [], events: [], links: [], status: { code: 0 },
    },
    resource: { attributes: [] }, scope: { name: 't' }, service: 'svc',
  }));
  const lines = renderWaterfall(traceView('ab'.repeat(16), stored)).split('\n');
  assert.equal(lines.length, 3 + 100_000);
  assert.ok(lines.every((l) => l.length < 200), 'every line stays short');
  assert.match(lines.at(-1) ?? '', /·99999· svc {2}step/);
});
