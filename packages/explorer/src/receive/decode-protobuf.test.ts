import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from './limits.ts';
import { decodeJson, decodeProtobuf } from './decode.ts';
import { ExportTraceServiceRequest } from './otlp-schema.ts';

const id = (n: number, bytes: number) => Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');
const limits = { ...DEFAULT_LIMITS, maxValueLength: 8, maxItemsPerRequest: 5, maxSpansPerRequest: 2 };

function request(spans: number, extra: Record<string, unknown> = {}) {
  return ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject({
      resourceSpans: [{
        schemaUrl: 'https://resource.example/long',
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{
          schemaUrl: 'https://scope.example/long',
          scope: { name: 'scope-name-long', version: 'version-long' },
          spans: Array.from({ length: spans }, (_, i) => ({
            traceId: id(i + 1, 16), spanId: id(i + 1, 8), name: 'a-long-span-name', startTimeUnixNano: 1, endTimeUnixNano: 2,
            attributes: [{ key: 'k', value: { arrayValue: { values: [{ intValue: 1 }, { intValue: 2 }, { intValue: 3 }] } } }],
            ...extra,
          })),
        }],
      }],
    }),
  ).finish();
}

describe('decodeProtobuf limits', () => {
  it('cuts scope and resource strings, counts spans past the bound as rejected and stops at the request item budget', () => {
    const r = decodeProtobuf(request(3), limits);
    assert.equal(r.spans.length, 2);
    assert.equal(r.rejected, 1);
    const [a, b] = r.spans;
    assert.deepEqual([a?.resource.schemaUrl, a?.scope.schemaUrl, a?.scope.name, a?.scope.version, a?.span.name], ['https://', 'https://', 'scope-na', 'version-', 'a-long-s']);
    // 5 items per request: resource attribute 1, span 1's attribute and its 3 elements = 5; span 2 keeps none.
    assert.equal(a?.span.attributes[0]?.value.arrayValue?.values.length, 3);
    assert.equal(b?.span.attributes.length, 0);
    assert.equal(b?.span.droppedAttributesCount, 1);
    assert.match(r.messages.join('; '), /1 spans over the limit of 2 per request/);
    assert.match(r.messages.join('; '), /over the limit of 5 per request/);
  });

  it('decodes the same request to the same spans as OTLP/JSON', () => {
    const bytes = request(2);
    const json = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), { longs: String, bytes: String }) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    for (const s of json.resourceSpans[0]?.scopeSpans[0]?.spans ?? []) {
      s.traceId = Buffer.from(s.traceId as string, 'base64').toString('hex');
      s.spanId = Buffer.from(s.spanId as string, 'base64').toString('hex');
    }
    assert.deepEqual(JSON.stringify(decodeJson(JSON.stringify(json), limits)), JSON.stringify(decodeProtobuf(bytes, limits)));
  });
});
