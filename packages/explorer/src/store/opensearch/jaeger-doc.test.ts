import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../../model.ts';
import { fromJaegerDoc, serviceDocId, toJaegerDoc, traceIdForms } from './jaeger-doc.ts';

const span: StoredSpan = {
  service: 'orders',
  resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }, { key: 'host.name', value: { stringValue: 'h1' } }] },
  scope: { name: 'lib', version: '2' },
  span: {
    traceId: '00000000000000000000000000000abc',
    spanId: '00000000000000f1',
    parentSpanId: '00000000000000f0',
    traceState: 'k=v',
    name: 'CreateOrder',
    kind: 2,
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000000223456789',
    attributes: [
      { key: 's', value: { stringValue: 'x' } },
      { key: 'i', value: { intValue: '9007199254740993' } },
      { key: 'd', value: { doubleValue: 1.5 } },
      { key: 'b', value: { boolValue: false } },
      { key: 'y', value: { bytesValue: Buffer.from([0, 0, 0x30, 0x39]).toString('base64') } },
      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, { intValue: '2' }] } } },
    ],
    events: [{ timeUnixNano: '1700000000150000000', name: 'retry', attributes: [{ key: 'n', value: { intValue: '1' } }] }],
    links: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), attributes: [] }],
    status: { code: 2, message: 'boom' },
  },
};

describe('Jaeger span documents', () => {
  it("writes Jaeger's fields: short trace id, µs times, references, string tag values, binary as hex", () => {
    const d = toJaegerDoc(span);
    assert.equal(d.traceID, '0000000000000abc');
    assert.equal(d.startTime, 1700000000123456);
    assert.equal(d.startTimeMillis, 1700000000123);
    assert.equal(d.duration, 100000);
    assert.deepEqual(d.references, [
      { refType: 'CHILD_OF', traceID: '0000000000000abc', spanID: '00000000000000f0' },
      { refType: 'FOLLOWS_FROM', traceID: 'ab'.repeat(16), spanID: 'cd'.repeat(8) },
    ]);
    assert.deepEqual(d.process, { serviceName: 'orders', tags: [{ key: 'host.name', type: 'string', value: 'h1' }] });
    const tag = (k: string) => d.tags.find((t) => t.key === k);
    assert.deepEqual(tag('i'), { key: 'i', type: 'int64', value: '9007199254740993' });
    assert.deepEqual(tag('y'), { key: 'y', type: 'binary', value: '00003039' });
    assert.deepEqual(tag('a'), { key: 'a', type: 'string', value: '["p",2]' });
    assert.deepEqual(
      d.tags.slice(6).map((t) => `${t.key}=${t.value}`),
      ['otel.scope.name=lib', 'otel.scope.version=2', 'span.kind=server', 'otel.status_code=ERROR', 'error=true', 'otel.status_description=boom', 'w3c.tracestate=k=v'],
    );
    assert.deepEqual(d.logs[0]?.fields[0], { key: 'event', type: 'string', value: 'retry' });
  });

  it("reads Tracewire's exact copy back unchanged", () => {
    assert.deepEqual(fromJaegerDoc(JSON.parse(JSON.stringify(toJaegerDoc(span)))), span);
  });

  it('reads a document without the copy from the Jaeger fields and conventions', () => {
    const { tracewire: _, ...jaegerOnly } = toJaegerDoc(span);
    const back = fromJaegerDoc(jaegerOnly);
    assert.equal(back.service, 'orders');
    assert.equal(back.span.traceId, span.span.traceId);
    assert.equal(back.span.parentSpanId, '00000000000000f0');
    assert.equal(back.span.kind, 2);
    assert.deepEqual(back.span.status, { code: 2, message: 'boom' });
    assert.equal(back.span.traceState, 'k=v');
    assert.deepEqual(back.scope, { name: 'lib', version: '2' });
    assert.equal(back.span.startTimeUnixNano, '1700000000123456000', 'µs precision');
    assert.deepEqual(back.span.attributes.slice(0, 5), [
      { key: 's', value: { stringValue: 'x' } },
      { key: 'i', value: { intValue: '9007199254740993' } },
      { key: 'd', value: { doubleValue: 1.5 } },
      { key: 'b', value: { boolValue: false } },
      { key: 'y', value: { bytesValue: span.span.attributes[4]?.value.bytesValue as string } },
    ]);
    assert.deepEqual(back.span.links.map((l) => l.spanId), ['cd'.repeat(8)]);
    assert.deepEqual(back.span.events[0]?.name, 'retry');
  });

  it('looks a trace up under every id form Jaeger has written', () => {
    assert.deepEqual(traceIdForms('00000000000000000000000000000abc'), ['00000000000000000000000000000abc', '0000000000000abc', 'abc']);
    assert.deepEqual(traceIdForms('000000000000001f0000000000000abc'), ['000000000000001f0000000000000abc', '1f0000000000000abc']);
  });

  it("ids service documents with Jaeger's FNV-1a 64 of service, kind and operation", () => {
    // FNV-1a 64 test vectors: "" -> cbf29ce484222325, "a" -> af63dc4c8601ec8c.
    assert.equal(serviceDocId({ serviceName: '', spanKind: '', operationName: '' }), 'cbf29ce484222325');
    assert.equal(serviceDocId({ serviceName: 'a', spanKind: '', operationName: '' }), 'af63dc4c8601ec8c');
  });
});
