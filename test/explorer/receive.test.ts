/**
 * OTLP receiver behaviour per the spec: statuses for malformed, oversized and
 * wrongly typed payloads (and the process keeps serving), gzip, partial
 * success, value types the SDK cannot produce, and gRPC errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus, TRACE_EXPORT_PATH } from '../../packages/explorer/src/receive/otlp-schema.ts';
import { getJson, hex, otlpJson, postJson, startTestExplorer } from './helpers.ts';

type Ex = Awaited<ReturnType<typeof startTestExplorer>>;

const NS = '1750000000000000001';
let next = 1;
function span(extra: Record<string, unknown> = {}) {
  const n = next++;
  return {
    traceId: `feed${hex(n, 28)}`,
    spanId: hex(n, 16),
    name: `op-${n}`,
    kind: 2,
    startTimeUnixNano: NS,
    endTimeUnixNano: '1750000000000000101',
    ...extra,
  };
}

function grpcExport(port: number, body: Uint8Array): Promise<{ err: grpc.ServiceError | null; res?: Buffer }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      TRACE_EXPORT_PATH,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      (err, res) => {
        client.close();
        resolve({ err, res });
      },
    );
  });
}

describe('OTLP receivers', () => {
  let ex: Ex;
  before(async () => {
    ex = await startTestExplorer({ maxBodyBytes: 64 * 1024 });
  });
  after(() => ex.close());

  async function stillServes() {
    const s = span();
    const res = await postJson(ex.httpPort, otlpJson([s]));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.equal((await getJson(`${ex.url}/api/tw/traces/${s.traceId}`)).status, 200);
  }

  it('answers 400 with a Status for malformed JSON, then keeps serving', async () => {
    for (const body of ['{not json', '[]', '{"resourceSpans": 5}', '{"resourceSpans":[{"scopeSpans":[{"spans":[7]}]}]}']) {
      const res = await postJson(ex.httpPort, body);
      assert.equal(res.status, 400, body);
      const st = (await res.json()) as { code: number; message: string };
      assert.equal(st.code, 3);
      assert.ok(st.message.length > 0);
    }
    await stillServes();
  });

  it('answers 400 for malformed protobuf with a protobuf Status', async () => {
    const res = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    const st = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await res.arrayBuffer()))) as { message: string };
    assert.match(st.message, /protobuf/);
    await stillServes();
  });

  it('answers 415 for unknown content types and encodings', async () => {
    const text = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    assert.equal(text.status, 415);
    const br = await postJson(ex.httpPort, otlpJson([span()]), { 'content-encoding': 'br' });
    assert.equal(br.status, 415);
    await stillServes();
  });

  it('answers 413 above the size limit, compressed or not', async () => {
    const big = otlpJson([span({ attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(100 * 1024) } }] })]);
    const plain = await postJson(ex.httpPort, big);
    assert.equal(plain.status, 413);
    // 100 KiB of 'x' gzips to a few hundred bytes: the limit applies after decompression.
    const zipped = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(big)),
    });
    assert.equal(zipped.status, 413);
    await stillServes();
  });

  it('accepts gzip bodies and answers 400 for broken gzip', async () => {
    const s = span();
    const ok = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(otlpJson([s]))),
    });
    assert.equal(ok.status, 200);
    assert.equal((await getJson(`${ex.url}/api/tw/traces/${s.traceId}`)).status, 200);
    const broken = await postJson(ex.httpPort, 'definitely not gzip', { 'content-encoding': 'gzip' });
    assert.equal(broken.status, 400);
    await stillServes();
  });

  it('reports partial success for spans with invalid ids and stores the rest', async () => {
    const good = span();
    const res = await postJson(
      ex.httpPort,
      otlpJson([good, span({ traceId: '00'.repeat(16) }), span({ spanId: 'xyz' }), span({ startTimeUnixNano: '-5' })]),
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '3');
    assert.match(body.partialSuccess.errorMessage, /invalid traceId/);
    assert.equal((await getJson(`${ex.url}/api/tw/traces/${good.traceId}`)).status, 200);
  });

  it('keeps kvlist, bytes, 64-bit ints, special doubles and snake_case JSON', async () => {
    const s = span({
      kind: 'SPAN_KIND_PRODUCER',
      attributes: [
        { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }, { key: 'b', value: { arrayValue: { values: [{ stringValue: 'z' }] } } }] } } },
        { key: 'bytes', value: { bytesValue: Buffer.from([1, 2, 255]).toString('base64') } },
        { key: 'i64', value: { intValue: '9223372036854775807' } },
        { key: 'nan', value: { doubleValue: 'NaN' } },
        { key: 'snake', value: { string_value: 'ok' } },
      ],
    });
    const res = await postJson(ex.httpPort, otlpJson([s]));
    assert.equal(res.status, 200);
    const view = await getJson<{ spans: Array<{ kind: string; attributes: Array<{ key: string; value: unknown; type: string }> }> }>(`${ex.url}/api/tw/traces/${s.traceId}`);
    const a = view.body.spans[0];
    assert.ok(a);
    assert.equal(a.kind, 'PRODUCER');
    const get = (k: string) => a.attributes.find((x) => x.key === k);
    assert.deepEqual(get('kv'), { key: 'kv', value: { a: 1, b: ['z'] }, type: 'kvlist' });
    assert.deepEqual(get('bytes'), { key: 'bytes', value: 'AQL/', type: 'bytes' });
    assert.deepEqual(get('i64'), { key: 'i64', value: '9223372036854775807', type: 'int' });
    assert.deepEqual(get('nan'), { key: 'nan', value: 'NaN', type: 'double' });
    assert.deepEqual(get('snake'), { key: 'snake', value: 'ok', type: 'string' });
    // The OTLP download carries the original value forms.
    const otlp = (await (await fetch(`${ex.url}/api/tw/traces/${s.traceId}/otlp`)).json()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ attributes: unknown[] }> }> }> };
    const attrs = otlp.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes;
    assert.deepEqual(attrs?.[2], { key: 'i64', value: { intValue: '9223372036854775807' } });
  });

  it('answers protobuf with a protobuf ExportTraceServiceResponse', async () => {
    const s = span();
    const req = ExportTraceServiceRequest.fromObject({
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ ...s, traceId: Buffer.from(s.traceId, 'hex'), spanId: Buffer.from(s.spanId, 'hex') }, { ...span(), traceId: Buffer.alloc(3), spanId: Buffer.alloc(8, 1) }] }] }],
    });
    const res = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from(ExportTraceServiceRequest.encode(req).finish()),
    });
    assert.equal(res.status, 200);
    const body = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())), { longs: String }) as {
      partialSuccess: { rejectedSpans: string };
    };
    assert.equal(body.partialSuccess.rejectedSpans, '1');
    const view = await getJson<{ spans: Array<{ service: string; startNs: string }> }>(`${ex.url}/api/tw/traces/${s.traceId}`);
    assert.equal(view.body.spans[0]?.service, 'unknown_service');
    assert.equal(view.body.spans[0]?.startNs, NS);
  });

  it('answers gRPC INVALID_ARGUMENT for malformed protobuf, then keeps serving', async () => {
    const bad = await grpcExport(ex.grpcPort, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    assert.equal(bad.err?.code, grpc.status.INVALID_ARGUMENT);
    const s = span();
    const ok = await grpcExport(
      ex.grpcPort,
      ExportTraceServiceRequest.encode(
        ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...s, traceId: Buffer.from(s.traceId, 'hex'), spanId: Buffer.from(s.spanId, 'hex') }] }] }] }),
      ).finish(),
    );
    assert.equal(ok.err, null);
    assert.equal((await getJson(`${ex.url}/api/tw/traces/${s.traceId}`)).status, 200);
  });

  it('answers 404 off /v1/traces and 405 for GET', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${ex.httpPort}/v1/metrics`, { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`)).status, 405);
  });
});
