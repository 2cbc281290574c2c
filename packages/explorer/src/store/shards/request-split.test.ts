import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeProtobuf } from '../../receive/decode.ts';
import { ExportTraceServiceRequest } from '../../receive/otlp-schema.ts';
import type { StoredSpan } from '../../model.ts';
import { sdkRequests } from '../segments/sdk-requests.ts';
import { shardOfTraceBytes, shardOfTraceHex, splitRequest } from './request-split.ts';

/** What the decoder makes of spans, in a comparable form (raw bytes and all), in a fixed order. */
function decoded(spans: StoredSpan[]): string[] {
  const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v);
  return spans.map((s) => JSON.stringify(s, replacer)).sort();
}

describe('splitting a request by trace id', () => {
  it('gives each shard exactly the spans of its traces, decoding as the whole request does', () => {
    fc.assert(
      fc.property(sdkRequests, fc.integer({ min: 2, max: 5 }), (body, shards) => {
        const split = splitRequest(body, shards);
        assert.ok(split, 'an exporter request always splits');
        const whole = decodeProtobuf(body).spans;
        assert.equal(split.spans, whole.length);
        const parts: StoredSpan[] = [];
        split.parts.forEach((part, shard) => {
          if (!part) return;
          const spans = decodeProtobuf(part).spans;
          for (const s of spans) assert.equal(shardOfTraceHex(s.span.traceId, shards), shard, 'a span is in its trace shard');
          parts.push(...spans);
        });
        assert.deepEqual(decoded(parts), decoded(whole));
      }),
      { numRuns: 200 },
    );
  });

  it('routes trace ids given as bytes and as hex the same way; anything not a trace id goes to shard 0', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 16 }), (id, shards) => {
        const hex = Buffer.from(id).toString('hex');
        assert.equal(shardOfTraceHex(hex, shards), shardOfTraceBytes(id, 0, shards));
        assert.equal(shardOfTraceHex(hex.toUpperCase(), shards), shardOfTraceBytes(id, 0, shards));
      }),
    );
    assert.equal(shardOfTraceHex('not a trace id', 4), 0);
    assert.equal(shardOfTraceHex('abc', 4), 0);
  });

  it('spreads random trace ids evenly', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[shardOfTraceHex(Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('hex'), 3)]!++;
    for (const c of counts) assert.ok(c > 9_000 && c < 11_000, `counts ${counts}`);
  });

  it('sends a request without spans whole to the first shard', () => {
    const body = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'idle' } }] }, scopeSpans: [{ scope: { name: 'lib' } }] }] }),
    ).finish();
    const split = splitRequest(body, 3);
    assert.ok(split);
    assert.equal(split.spans, 0);
    assert.deepEqual(Buffer.from(split.parts[0] as Uint8Array), Buffer.from(body));
    assert.equal(split.parts[1], undefined);
    assert.equal(split.parts[2], undefined);
  });

  it('leaves framing it does not read to the decoder (undefined), and never throws on any bytes', () => {
    assert.equal(splitRequest(Uint8Array.from([0x0b]), 2), undefined, 'a group (wire type 3) at the top');
    assert.equal(splitRequest(Uint8Array.from([0x0a, 0x05, 0x12]), 2), undefined, 'a length past the end');
    assert.equal(splitRequest(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 2), undefined, 'a varint of six bytes');
    assert.equal(splitRequest(Uint8Array.from([0x09]), 2), undefined, 'fixed64 cut short');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        splitRequest(bytes, 2);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(sdkRequests, fc.nat(), fc.nat(255), (body, at, byte) => {
        const bad = Uint8Array.from(body);
        bad[at % bad.length] = byte;
        const split = splitRequest(bad, 2);
        if (!split) return;
        // What it did split holds every span the request framed, each once.
        const framed = split.parts.reduce((n, p) => n + (p ? countSpans(p) : 0), 0);
        assert.equal(framed, split.spans);
      }),
      { numRuns: 300 },
    );
  });
});

/** Spans framed in a request, by the splitter itself with one shard (the count it reports). */
function countSpans(part: Uint8Array): number {
  return splitRequest(part, 1)?.spans ?? 0;
}
