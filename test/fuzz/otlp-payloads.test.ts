/**
 * Hostile OTLP payloads. In process, against the decoders (thousands of
 * cases): random bytes, mutated valid protobuf, random JSON and mutated valid
 * OTLP/JSON either decode or throw MalformedPayloadError, nothing else. Over
 * the real sockets (hundreds): the explorer answers 200, 400, 413 or 415
 * (gRPC: OK or INVALID_ARGUMENT), never 5xx, keeps running, and the trace
 * stored before the barrage is unchanged.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { MalformedPayloadError, decodeJson, decodeProtobuf } from '../../packages/explorer/src/index.ts';
import { ExportTraceServiceRequest } from '../../packages/explorer/src/receive/otlp-schema.ts';
import { hex, otlpJson, postJson, startTestExplorer } from '../explorer/helpers.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

function validJson(traceId = hex(0x77, 32)) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return otlpJson(
    [
      {
        traceId,
        spanId: hex(1, 16),
        name: 'fuzz-root',
        kind: 2,
        startTimeUnixNano: String(now),
        endTimeUnixNano: String(now + 5_000_000n),
        attributes: [
          { key: 's', value: { stringValue: 'x' } },
          { key: 'i', value: { intValue: '42' } },
          { key: 'a', value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] } } },
          { key: 'k', value: { kvlistValue: { values: [{ key: 'n', value: { bytesValue: 'AAE=' } }] } } },
        ],
        events: [{ timeUnixNano: String(now + 1n), name: 'e', attributes: [] }],
        links: [{ traceId: hex(2, 32), spanId: hex(3, 16) }],
        status: { code: 2, message: 'boom' },
      },
    ],
    'fuzz',
  );
}

const validProto: Uint8Array = (() => {
  const j = validJson();
  const hexToB64 = (h: string) => Buffer.from(h, 'hex').toString('base64');
  const spans = j.resourceSpans[0]!.scopeSpans[0]!.spans as Array<Record<string, unknown>>;
  const s = spans[0]!;
  const obj = {
    resourceSpans: [
      {
        resource: j.resourceSpans[0]!.resource,
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: [
              {
                ...s,
                traceId: hexToB64(s.traceId as string),
                spanId: hexToB64(s.spanId as string),
                links: [{ traceId: hexToB64(hex(2, 32)), spanId: hexToB64(hex(3, 16)) }],
              },
            ],
          },
        ],
      },
    ],
  };
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj)).finish();
})();

/** Decodes or refuses cleanly; any other throw fails the property. */
function decodesOrRefuses(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof MalformedPayloadError)) throw err;
  }
}

const mutatedBytes = fc
  .tuple(
    fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'insert', 'delete') }), { minLength: 1, maxLength: 8 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([edits, cut]) => {
    const b = [...validProto];
    for (const e of edits) {
      const i = e.at % (b.length + 1);
      if (e.op === 'set' && i < b.length) b[i] = e.byte;
      else if (e.op === 'insert') b.splice(i, 0, e.byte);
      else b.splice(i, 1);
    }
    return Uint8Array.from(cut === undefined ? b : b.slice(0, cut % (b.length + 1)));
  });

/** Valid OTLP/JSON with one value somewhere replaced by something of another type. */
const mutatedJson = fc.tuple(fc.nat(), fc.jsonValue()).map(([pick, replacement]) => {
  const doc = validJson() as unknown;
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (slots.push({ parent: v, key: i }), walk(x)));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (slots.push({ parent: v as Record<string, unknown>, key: k }), walk(x));
  };
  walk(doc);
  const slot = slots[pick % slots.length]!;
  (slot.parent as Record<string | number, unknown>)[slot.key] = replacement;
  return JSON.stringify(doc);
});

describe('OTLP decoders, in process', () => {
  it(`random bytes (${RUNS} cases)`, () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => decodesOrRefuses(() => decodeProtobuf(b))), { numRuns: RUNS });
  });
  it(`mutated valid protobuf (${RUNS} cases)`, () => {
    assert.equal(decodeProtobuf(validProto).spans.length, 1, 'the seed is valid');
    fc.assert(fc.property(mutatedBytes, (b) => decodesOrRefuses(() => decodeProtobuf(b))), { numRuns: RUNS });
  });
  it(`random JSON text and values (${RUNS} cases each)`, () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => decodesOrRefuses(() => decodeJson(s))), { numRuns: RUNS });
    fc.assert(fc.property(fc.jsonValue(), (v) => decodesOrRefuses(() => decodeJson(JSON.stringify(v) ?? 'null'))), { numRuns: RUNS });
  });
  it(`valid OTLP/JSON with one value of the wrong type (${RUNS} cases)`, () => {
    assert.equal(decodeJson(JSON.stringify(validJson())).spans.length, 1, 'the seed is valid');
    fc.assert(fc.property(mutatedJson, (s) => decodesOrRefuses(() => decodeJson(s))), { numRuns: RUNS });
  });
});

describe('found by this fuzzer', () => {
  it('a timestamp past int64 (fixed64 allows it) rejects the span instead of failing the store transaction', async () => {
    const doc = validJson(hex(0x2262, 32));
    (doc.resourceSpans[0]!.scopeSpans[0]!.spans[0] as Record<string, unknown>).startTimeUnixNano = '9289608046454505344';
    const decoded = decodeJson(JSON.stringify(doc));
    assert.equal(decoded.spans.length, 0);
    assert.equal(decoded.rejected, 1);
    const ex = await startTestExplorer();
    try {
      const res = await postJson(ex.httpPort, doc);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /year 2262/);
    } finally {
      await ex.close();
    }
  });
});

describe('OTLP receivers, over the sockets', () => {
  let ex: Awaited<ReturnType<typeof startTestExplorer>>;
  const keepId = hex(0x1234, 32);
  before(async () => {
    ex = await startTestExplorer({ maxBodyBytes: 64 * 1024 });
    assert.equal((await postJson(ex.httpPort, validJson(keepId))).status, 200);
  });
  after(async () => ex?.close());

  it('HTTP: 300 hostile bodies → 200/400/413/415 only; the stored trace is intact; a valid export still works', async () => {
    const before = JSON.stringify(await ex.store.getTrace(keepId));
    const statuses = new Map<number, number>();
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
      mutatedBytes.map((b) => Buffer.from(b)),
      mutatedJson.map((s) => Buffer.from(s)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.constant(Buffer.alloc(70 * 1024, 0x41)),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('application/x-protobuf', 'application/json', 'application/json; charset=utf-8', 'text/plain', ''),
        fc.constantFrom('identity', 'gzip', 'gzip-but-not', 'br'),
        async (raw, type, encoding) => {
          const payload = encoding === 'gzip' ? gzipSync(raw) : raw;
          const res = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, {
            method: 'POST',
            headers: { ...(type ? { 'content-type': type } : {}), ...(encoding === 'identity' ? {} : { 'content-encoding': encoding === 'gzip-but-not' ? 'gzip' : encoding }) },
            body: payload,
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok([200, 400, 413, 415].includes(res.status), `status ${res.status}`);
        },
      ),
      { numRuns: 300 },
    );
    assert.equal(JSON.stringify(await ex.store.getTrace(keepId)), before, 'previously stored data unchanged');
    assert.equal((await postJson(ex.httpPort, validJson(hex(0x5678, 32)))).status, 200);
    console.log(`# figures otlp-http-fuzz: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  it('gRPC: 200 hostile messages → OK or INVALID_ARGUMENT only', async () => {
    const client = new grpc.Client(`127.0.0.1:${ex.grpcPort}`, grpc.credentials.createInsecure());
    const codes = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 2048 }), mutatedBytes), async (b) => {
          const code = await new Promise<number>((resolve) =>
            client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (x: Buffer) => x, (x: Buffer) => x, Buffer.from(b), (err) => resolve(err ? err.code : 0)),
          );
          codes.set(code, (codes.get(code) ?? 0) + 1);
          assert.ok(code === grpc.status.OK || code === grpc.status.INVALID_ARGUMENT, `code ${code}`);
        }),
        { numRuns: 200 },
      );
    } finally {
      client.close();
    }
    assert.ok((await ex.store.getTrace(keepId))?.length === 1);
    console.log(`# figures otlp-grpc-fuzz: ${JSON.stringify(Object.fromEntries(codes))}`);
  });
});
