/**
 * Raw-socket fuzzing of the OTLP/HTTP listener of a real explorer process:
 * FUZZ_RUNS (default 10,000) generated requests, from a fixed seed (FUZZ_SEED),
 * written byte for byte: request lines, headers, content types and encodings,
 * lengths that lie, chunked bodies, and bodies that are truncated, oversized,
 * gzip bombs, invalid UTF-8, NULs, deep JSON or huge repeated protobuf fields.
 * Every answer is 2xx or 4xx, every connection ends (the server answers or
 * closes it), and afterwards the process is alive, healthy, and every span
 * stored before the barrage reads back unchanged.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hex, otlpJson } from '../explorer/helpers.ts';
import { emptyRepeated, requestBytes, spanBytes } from '../explorer/otlp-wire.ts';
import { rawRequest } from '../explorer/raw-http.ts';
import { RUNS, SEED, assertIntact, count, pool, useFuzzTarget } from './explorer-target.ts';

const validJson = Buffer.from(JSON.stringify(otlpJson([{ traceId: hex(0xf1, 32), spanId: hex(1, 16), name: 'fz', startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [{ key: 'k', value: { stringValue: 'v' } }] }])));
const validProto = requestBytes([spanBytes({ traceId: hex(0xf2, 32), spanId: hex(2, 16) })]);

const mutate = (seed: Buffer) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 6 }).map((edits) => {
    const b = [...seed];
    for (const [at, byte, op] of edits) {
      const i = at % (b.length + 1);
      if (op === 'set' && i < b.length) b[i] = byte;
      else if (op === 'insert') b.splice(i, 0, byte);
      else b.splice(i, 1);
    }
    return Buffer.from(b);
  });

const body: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  mutate(validJson),
  mutate(validProto),
  fc.constant(validJson),
  fc.constant(validProto),
  fc.constant(Buffer.concat([validJson.subarray(0, 40), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), validJson.subarray(40)])),
  fc.constant(Buffer.from(`{"resourceSpans":[${'['.repeat(50_000)}`)),
  fc.constant(requestBytes([spanBytes({ traceId: hex(0xf3, 32), spanId: hex(3, 16), extra: [emptyRepeated(11, 200_000)] })])),
  fc.constant(Buffer.alloc(1100 * 1024, 0x20)),
  fc.constant(Buffer.alloc(300, 0)),
);

type Encoding = 'none' | 'gzip' | 'gzip-bomb' | 'gzip-truncated' | 'bogus';
const encode = (raw: Buffer, enc: Encoding): Buffer =>
  enc === 'gzip' ? gzipSync(raw) : enc === 'gzip-bomb' ? gzipSync(Buffer.alloc(8 * 1024 * 1024)) : enc === 'gzip-truncated' ? gzipSync(raw).subarray(0, 12) : raw;

/** Mostly well-formed, so that most cases reach the receiver and its decoders; the rest exercise the parser. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: odd, weight: 1 });
const method = mostly(fc.constant('POST'), fc.oneof(fc.constantFrom('GET', 'PUT', 'OPTIONS', 'post', 'DELETE', 'PRI'), fc.string({ maxLength: 12 })));
const target = mostly(
  fc.constant('/v1/traces'),
  fc.oneof(fc.constantFrom('/v1/traces?x=1', '/v1/traces/', '*', 'http://x/v1/traces', '/%zz', '//', '/v1/metrics', ''), fc.string({ maxLength: 40 }), fc.constant(`/${'a'.repeat(20_000)}`)),
);
const version = mostly(fc.constant('HTTP/1.1'), fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', '', 'HTTP/1.1 extra'));
const contentType = mostly(
  fc.constantFrom('application/x-protobuf', 'application/json', 'application/json; charset=utf-8'),
  fc.option(fc.oneof(fc.constantFrom('APPLICATION/JSON', 'text/plain', '', ';;;'), fc.string({ maxLength: 30 })), { nil: undefined }),
);
const lengthMode = mostly(fc.constant('exact'), fc.constantFrom('short', 'long', 'none', 'chunked', 'chunked-bad', 'negative', 'huge', 'twice'));
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/);
const extraHeaders = fc.array(fc.tuple(mostly(headerName, fc.string({ minLength: 1, maxLength: 20 })), fc.string({ maxLength: 40 })), { maxLength: 4 });
const encoding = mostly(fc.constant<Encoding>('none'), fc.constantFrom<Encoding>('gzip', 'gzip', 'gzip-bomb', 'gzip-truncated', 'bogus'));

const request = fc.record({ method, target, version, contentType, encoding, lengthMode, extraHeaders, body, bigHeader: fc.oneof({ arbitrary: fc.constant(false), weight: 19 }, { arbitrary: fc.constant(true), weight: 1 }) });
type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

function chunked(b: Buffer, bad: boolean): Buffer {
  if (bad) return Buffer.concat([Buffer.from('zz\r\n'), b.subarray(0, 10), Buffer.from('\r\n0\r\n\r\n')]);
  return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n0\r\n\r\n')]);
}

function bytesOf(r: Req): Buffer {
  const payload = encode(r.body, r.encoding);
  const lines = [`${r.method} ${r.target} ${r.version}`, 'host: fuzz'];
  if (r.contentType !== undefined) lines.push(`content-type: ${r.contentType}`);
  if (r.encoding !== 'none') lines.push(`content-encoding: ${r.encoding === 'bogus' ? 'x-bogus' : 'gzip'}`);
  const length = { exact: payload.length, short: Math.max(0, payload.length - 7), long: payload.length + 1000, negative: -1, huge: '99999999999999999999', twice: payload.length } as Record<string, unknown>;
  if (r.lengthMode.startsWith('chunked')) lines.push('transfer-encoding: chunked');
  else if (r.lengthMode !== 'none') lines.push(`content-length: ${String(length[r.lengthMode])}`);
  if (r.lengthMode === 'twice') lines.push(`content-length: ${payload.length + 1}`);
  for (const [k, v] of r.extraHeaders) lines.push(`${k.replace(/[\r\n]/g, '')}: ${v.replace(/[\r\n]/g, '')}`);
  if (r.bigHeader) lines.push(`x-big: ${'b'.repeat(20 * 1024)}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return Buffer.concat([head, r.lengthMode.startsWith('chunked') ? chunked(payload, r.lengthMode === 'chunked-bad') : payload]);
}

/** Sends the bytes, half-closes, and collects everything until the server closes; statuses of every answer. */
async function exchange(port: number, bytes: Buffer): Promise<number[]> {
  const r = await rawRequest(port, bytes, { timeoutMs: 20_000 });
  if (r.timedOut) throw new Error('the server neither answered nor closed within 20 s');
  return [...r.raw.toString('latin1').matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

describe(`OTLP/HTTP listener, raw-socket fuzz (${RUNS} cases, seed ${SEED})`, () => {
  const fuzz = useFuzzTarget();

  it('answers only 2xx/4xx, ends every connection, and keeps serving with the stored spans intact', { timeout: 600_000 }, async () => {
    const cases = fc.sample(request, { seed: SEED, numRuns: RUNS });
    const statuses = new Map<string, number>();
    await pool(cases, 8, async (r, i) => {
      const got = await exchange(fuzz.t.ex.httpPort, bytesOf(r));
      for (const s of got) {
        count(statuses, String(s));
        assert.ok(s >= 200 && s < 500, `case ${i}: status ${s} for ${JSON.stringify({ ...r, body: r.body.length })}`);
      }
      if (got.length === 0) count(statuses, 'closed without answer');
    });
    await assertIntact(fuzz.t.ex, fuzz.baseline);
    console.log(`# figures otlp-http-socket-fuzz: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  });
});
