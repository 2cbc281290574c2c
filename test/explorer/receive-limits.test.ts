/**
 * The receivers' limits, over real sockets to a real explorer process: what a
 * limit drops is never materialised (a 16 MiB export of millions of empty
 * messages passes on a 256 MiB heap), spans past the per-request bound are
 * rejected, a huge export is written in groups that let other exports through,
 * every string and collection is cut to the documented limits, and OTLP/JSON
 * 64-bit integers sent as bare numbers are kept exact.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { TRACE_EXPORT_PATH } from '../../packages/explorer/src/receive/otlp-schema.ts';
import { getJson, hex, otlpJson, postJson, tempDir } from './helpers.ts';
import { emptyRepeated, ld, requestBytes, spanBytes } from './otlp-wire.ts';
import { type ExplorerProcess, startExplorerProcess, waitExit } from './process.ts';

const LIMIT = 64 * 1024;

function postProtobuf(port: number, body: Buffer): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(body) });
}

function grpcExport(port: number, body: Buffer): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (err) => {
      client.close();
      resolve(err);
    });
  });
}

type OtlpDoc = { resourceSpans: Array<{ schemaUrl?: string; resource: { attributes: Array<{ key: string }> }; scopeSpans: Array<{ scope: { name: string; version?: string }; spans: Array<Record<string, any>> }> }> };

async function otlpOf(ex: ExplorerProcess, traceId: string): Promise<OtlpDoc> {
  const res = await fetch(`${ex.url}/api/tw/traces/${traceId}/otlp`);
  assert.equal(res.status, 200, `trace ${traceId} stored`);
  return (await res.json()) as OtlpDoc;
}

describe('receiver limits, on a 256 MiB heap', () => {
  let ex: ExplorerProcess;
  const dir = tempDir();
  before(async () => {
    ex = await startExplorerProcess(dir, ['--max-body', '17MiB'], { nodeArgs: ['--max-old-space-size=256'] });
  });
  after(async () => {
    ex.child.kill('SIGTERM');
    await waitExit(ex.child);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps 1,000 of 8 million empty events in a 16 MiB OTLP/HTTP export and counts the rest as dropped', async () => {
    const traceId = hex(0xe1, 32);
    const body = requestBytes([spanBytes({ traceId, spanId: hex(1, 16), extra: [emptyRepeated(11, 8_000_000)] })]);
    const res = await postProtobuf(ex.httpPort, body);
    assert.equal(res.status, 200);
    const span = (await otlpOf(ex, traceId)).resourceSpans[0]?.scopeSpans[0]?.spans[0];
    assert.equal(span?.events.length, 1000);
    assert.equal(span?.droppedEventsCount, 8_000_000 - 1000);
  });

  it('keeps 1,000 of 8 million empty attributes in a 16 MiB OTLP/gRPC export and counts the rest as dropped', async () => {
    const traceId = hex(0xe2, 32);
    const body = requestBytes([spanBytes({ traceId, spanId: hex(2, 16), extra: [emptyRepeated(9, 8_000_000)] })]);
    assert.equal(await grpcExport(ex.grpcPort, body), null);
    const span = (await otlpOf(ex, traceId)).resourceSpans[0]?.scopeSpans[0]?.spans[0];
    assert.equal(span?.attributes.length, 1000);
    assert.equal(span?.droppedAttributesCount, 8_000_000 - 1000);
  });

  it('rejects spans past 100,000 per request, and writes the rest in groups that let a small export through first', async () => {
    const spans = Array.from({ length: 100_500 }, (_, i) => spanBytes({ traceId: `ab${hex(i, 30)}`, spanId: hex(i + 1, 16) }));
    const storedBefore = (await getJson<{ spans: number }>(`${ex.url}/api/tw/status`)).body.spans;
    const order: string[] = [];
    const huge = postProtobuf(ex.httpPort, requestBytes(spans, 'huge')).then(async (r) => {
      order.push('huge');
      return r;
    });
    // Once the first spans of the huge export are committed, a small export must not wait for the other 99,000.
    while ((await getJson<{ spans: number }>(`${ex.url}/api/tw/status`)).body.spans === storedBefore) await new Promise((r) => setTimeout(r, 5));
    const small = await postJson(ex.httpPort, otlpJson([{ traceId: hex(0x5a11, 32), spanId: hex(7, 16), name: 'small', startTimeUnixNano: '1', endTimeUnixNano: '2' }]));
    order.push('small');
    assert.equal(small.status, 200);
    const res = await huge;
    assert.equal(res.status, 200);
    const body = await res.arrayBuffer();
    assert.match(Buffer.from(body).toString('latin1'), /500 spans over the limit of 100000 per request/);
    assert.deepEqual(order, ['small', 'huge']);
    const status = await getJson<{ spans: number }>(`${ex.url}/api/tw/status`);
    assert.ok(status.body.spans >= 100_001, `${status.body.spans} spans stored`);
    assert.equal((await getJson(`${ex.url}/api/tw/traces/ab${hex(100_499, 30)}`)).status, 404, 'the span past the bound was not stored');
  });
});

describe('every string and collection is cut to the documented limits', () => {
  let ex: ExplorerProcess;
  const dir = tempDir();
  before(async () => {
    ex = await startExplorerProcess(dir, ['--max-body', '8MiB']);
  });
  after(async () => {
    ex.child.kill('SIGTERM');
    await waitExit(ex.child);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const long = (c: string) => c.repeat(LIMIT + 100);
  const values = (n: number) => Array.from({ length: n }, (_, i) => ({ intValue: String(i) }));
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: { boolValue: true } }));

  it('truncates keys, names, scope name and version, schema URL, trace states, event names and status messages (OTLP/JSON)', async () => {
    const traceId = hex(0x13, 32);
    const doc = {
      resourceSpans: [
        {
          schemaUrl: long('u'),
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'limits' } }] },
          scopeSpans: [
            {
              scope: { name: long('n'), version: long('v') },
              spans: [
                {
                  traceId, spanId: hex(1, 16), name: long('s'), traceState: long('t'),
                  startTimeUnixNano: '1750000000000000001', endTimeUnixNano: '1750000000000000002',
                  attributes: [{ key: long('k'), value: { stringValue: long('x') } }],
                  events: [{ timeUnixNano: '1750000000000000001', name: long('e') }],
                  links: [{ traceId: hex(2, 32), spanId: hex(3, 16), traceState: long('l') }],
                  status: { code: 2, message: long('m') },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await postJson(ex.httpPort, doc);
    assert.equal(res.status, 200);
    assert.match(((await res.json()) as { partialSuccess: { errorMessage: string } }).partialSuccess.errorMessage, /truncated/);
    const rs = (await otlpOf(ex, traceId)).resourceSpans[0];
    const span = rs?.scopeSpans[0]?.spans[0];
    const lengths = {
      schemaUrl: rs?.schemaUrl?.length, scopeName: rs?.scopeSpans[0]?.scope.name.length, scopeVersion: rs?.scopeSpans[0]?.scope.version?.length,
      name: span?.name.length, traceState: span?.traceState.length, key: span?.attributes[0].key.length, value: span?.attributes[0].value.stringValue.length,
      eventName: span?.events[0].name.length, linkTraceState: span?.links[0].traceState.length, statusMessage: span?.status.message.length,
    };
    for (const [what, n] of Object.entries(lengths)) assert.equal(n, LIMIT, what);
  });

  it('counts array elements against the 1,000-attribute limit (OTLP/JSON)', async () => {
    const traceId = hex(0x14, 32);
    const res = await postJson(
      ex.httpPort,
      otlpJson([{
        traceId, spanId: hex(1, 16), name: 'arrays', startTimeUnixNano: '1', endTimeUnixNano: '2',
        attributes: [
          { key: 'array', value: { arrayValue: { values: values(1500) } } },
          { key: 'kvlist', value: { kvlistValue: { values: entries(1500) } } },
        ],
      }]),
    );
    assert.equal(res.status, 200);
    const span = (await otlpOf(ex, traceId)).resourceSpans[0]?.scopeSpans[0]?.spans[0];
    // The array attribute and 999 of its elements fill the span's 1,000; the kvlist attribute is dropped and counted.
    assert.equal(span?.attributes.length, 1);
    assert.equal(span?.attributes[0].value.arrayValue.values.length, 999);
    assert.equal(span?.droppedAttributesCount, 1);
  });

  it('counts array elements and kvlist entries against the limit in OTLP/protobuf too', async () => {
    const traceId = hex(0x15, 32);
    const element = ld(1, ld(1, 'x'));
    const arrayAttr = ld(9, Buffer.concat([ld(1, 'array'), ld(2, ld(5, Buffer.concat(Array.from({ length: 5000 }, () => element))))]));
    const entry = ld(1, Buffer.concat([ld(1, 'k'), ld(2, ld(1, 'v'))]));
    const kvAttr = ld(9, Buffer.concat([ld(1, 'kvlist'), ld(2, ld(6, Buffer.concat(Array.from({ length: 5000 }, () => entry))))]));
    const kvTraceId = hex(0x18, 32);
    const res = await postProtobuf(ex.httpPort, requestBytes([spanBytes({ traceId, spanId: hex(1, 16), extra: [arrayAttr] }), spanBytes({ traceId: kvTraceId, spanId: hex(2, 16), extra: [kvAttr] })]));
    assert.equal(res.status, 200);
    const attrs = (await otlpOf(ex, traceId)).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes as Array<{ value: any }>;
    assert.equal(attrs[0]?.value.arrayValue.values.length, 999);
    const kv = (await otlpOf(ex, kvTraceId)).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes as Array<{ value: any }>;
    assert.equal(kv[0]?.value.kvlistValue.values.length, 999);
  });

  it('keeps bare-number nanosecond timestamps and int64 values above 2^53 exact (OTLP/JSON)', async () => {
    const traceId = hex(0x16, 32);
    const text = JSON.stringify(otlpJson([{ traceId, spanId: hex(1, 16), name: 'bare', startTimeUnixNano: 'START', endTimeUnixNano: 'END', attributes: [{ key: 'big', value: { intValue: 'BIG' } }, { key: 'neg', value: { intValue: 'NEG' } }] }]))
      .replace('"START"', '1750000000000000001')
      .replace('"END"', '1750000000000000999')
      .replace('"BIG"', '9223372036854775807')
      .replace('"NEG"', '-9007199254740993');
    const res = await postJson(ex.httpPort, text);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    const span = (await otlpOf(ex, traceId)).resourceSpans[0]?.scopeSpans[0]?.spans[0];
    assert.equal(span?.startTimeUnixNano, '1750000000000000001');
    assert.equal(span?.endTimeUnixNano, '1750000000000000999');
    assert.deepEqual(span?.attributes.map((a: { value: unknown }) => a.value), [{ intValue: '9223372036854775807' }, { intValue: '-9007199254740993' }]);
  });

  it('refuses an OTLP/JSON body of more than 2 million objects and arrays before parsing it, and keeps serving', async () => {
    const res = await postJson(ex.httpPort, `{"resourceSpans":[${'{},'.repeat(2_000_001)}{}]}`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /objects and arrays, over the limit of 2000000/);
    const ok = await postJson(ex.httpPort, otlpJson([{ traceId: hex(0x17, 32), spanId: hex(1, 16), name: 'after', startTimeUnixNano: '1', endTimeUnixNano: '2' }]));
    assert.equal(ok.status, 200);
  });
});
