/**
 * Raw HTTP/2 fuzzing of the OTLP/gRPC listener of a real explorer process:
 * FUZZ_RUNS (default 10,000) generated calls from a fixed seed (FUZZ_SEED).
 * Most go through node:http2 with hostile headers and metadata (paths,
 * content types, grpc-encoding, grpc-timeout, -bin values) and hostile
 * length-prefixed messages (compressed flag without an encoding, gzip that is
 * not, huge declared lengths, truncated frames, two messages, protobuf garbage
 * with valid framing, huge repeated fields, gzip bombs); the rest are raw TCP
 * bytes after the HTTP/2 preface (bad frame headers, types, lengths, stream
 * ids). Every call ends with a status that is not the handler's own failure
 * (no INTERNAL "internal error"), every connection ends, and afterwards the
 * process is alive, healthy, and every span stored before reads back unchanged.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hex } from '../explorer/helpers.ts';
import { emptyRepeated, requestBytes, spanBytes } from '../explorer/otlp-wire.ts';
import { RUNS, SEED, assertIntact, count, pool, useFuzzTarget } from './explorer-target.ts';

const EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const validProto = requestBytes([spanBytes({ traceId: hex(0xf4, 32), spanId: hex(4, 16) })]);
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 3 }, { arbitrary: odd, weight: 1 });

function frame(message: Buffer, flag = 0, declared = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(declared >>> 0, 1);
  return Buffer.concat([prefix, message]);
}

const message: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(validProto),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
    const b = Buffer.from(validProto);
    b[at % b.length] = byte;
    return b;
  }),
  fc.constant(requestBytes([spanBytes({ traceId: hex(0xf5, 32), spanId: hex(5, 16), extra: [emptyRepeated(11, 200_000)] })])),
  fc.constant(Buffer.alloc(0)),
);

const framing = fc.constantFrom('plain', 'plain', 'plain', 'compressed-flag', 'gzip', 'gzip-bomb', 'huge-declared', 'truncated', 'two', 'prefix-only', 'none', 'random');

function bodyOf(msg: Buffer, how: string, extra: Buffer): Buffer {
  switch (how) {
    case 'compressed-flag': return frame(msg, 1);
    case 'gzip': return frame(gzipSync(msg), 1);
    case 'gzip-bomb': return frame(gzipSync(Buffer.alloc(4 * 1024 * 1024)), 1);
    case 'huge-declared': return frame(msg, 0, 0xffffffff);
    case 'truncated': return frame(msg).subarray(0, Math.max(1, msg.length - 3));
    case 'two': return Buffer.concat([frame(msg), frame(msg)]);
    case 'prefix-only': return frame(Buffer.alloc(0), 0, 1000);
    case 'none': return Buffer.alloc(0);
    case 'random': return extra;
    default: return frame(msg);
  }
}

const headerValue = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, ''));
const call = fc.record({
  path: mostly(fc.constant(EXPORT), fc.oneof(fc.constantFrom('/', '/x.Y/Z', `${EXPORT}/extra`, '/opentelemetry.proto.collector.trace.v1.TraceService/'), fc.string({ maxLength: 30 }).map((s) => `/${s}`))),
  contentType: mostly(fc.constantFrom('application/grpc', 'application/grpc+proto'), fc.constantFrom('text/plain', 'application/json', '', 'application/grpc-web')),
  encoding: mostly(fc.constant(undefined), fc.constantFrom('gzip', 'identity', 'deflate', 'snappy', 'x')),
  timeout: mostly(fc.constant(undefined), fc.constantFrom('1S', '100m', 'abc', '99999999H', '0n', '')),
  metadata: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}(-bin)?$/), headerValue), { maxLength: 3 }),
  message,
  framing,
  random: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  endStream: mostly(fc.constant(true), fc.constant(false)),
});
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never;

/** Raw bytes after the HTTP/2 preface: frame headers with any length, type, flags and stream id. */
const rawFrames = fc.array(
  fc.record({ length: fc.oneof(fc.nat(64), fc.constant(0xffffff)), type: fc.nat(12), flags: fc.nat(255), stream: fc.oneof(fc.nat(9), fc.nat()), payload: fc.uint8Array({ maxLength: 64 }) }),
  { minLength: 1, maxLength: 5 },
).map((frames) =>
  Buffer.concat([
    Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    ...frames.map((f) => {
      const h = Buffer.alloc(9);
      h.writeUIntBE(f.length, 0, 3);
      h[3] = f.type;
      h[4] = f.flags;
      h.writeUInt32BE(f.stream >>> 0, 5);
      return Buffer.concat([h, Buffer.from(f.payload)]);
    }),
  ]),
);

const testCase = fc.oneof({ arbitrary: call.map((c) => ({ kind: 'call' as const, c })), weight: 9 }, { arbitrary: rawFrames.map((b) => ({ kind: 'raw' as const, b })), weight: 1 });

/** grpc-message is percent-encoded (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md); keep it raw when it is not. */
function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface Outcome {
  status: string;
  message?: string;
}

/** One call on its own connection; resolves with grpc-status (or the HTTP status, or how it ended). */
function runCall(port: number, c: Call): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const guard = setTimeout(() => {
      session.destroy();
      reject(new Error('the call neither ended nor was closed within 20 s'));
    }, 20_000);
    let outcome: Outcome = { status: 'no status' };
    const done = () => {
      clearTimeout(guard);
      session.destroy();
      resolve(outcome);
    };
    session.on('error', () => undefined);
    session.on('close', done);
    const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': c.path, 'content-type': c.contentType, te: 'trailers' };
    if (c.encoding) headers['grpc-encoding'] = c.encoding;
    if (c.timeout !== undefined) headers['grpc-timeout'] = c.timeout;
    for (const [k, v] of c.metadata) if (!(k in headers) && k !== 'te') headers[k] = v;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers);
    } catch (err) {
      outcome = { status: `client refused: ${(err as Error).name}` };
      return done();
    }
    const read = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) outcome = { status: String(h['grpc-status']), message: percentDecoded(String(h['grpc-message'] ?? '')) };
      else if (h[':status'] !== undefined && Number(h[':status']) !== 200) outcome = { status: `http ${h[':status']}` };
    };
    stream.on('response', read);
    stream.on('trailers', read);
    stream.on('error', () => undefined);
    stream.on('close', done);
    stream.resume();
    stream.end(bodyOf(c.message, c.framing, c.random));
  });
}

function runRaw(port: number, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server neither closed nor answered within 20 s'));
    }, 20_000);
    socket.on('error', () => undefined);
    socket.resume();
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ status: 'raw' });
    });
    socket.end(bytes);
  });
}

describe(`OTLP/gRPC listener, raw HTTP/2 fuzz (${RUNS} cases, seed ${SEED})`, () => {
  const fuzz = useFuzzTarget();

  it('never fails in the handler, ends every call and connection, and keeps serving with the stored spans intact', { timeout: 600_000 }, async () => {
    const cases = fc.sample(testCase, { seed: SEED, numRuns: RUNS });
    const outcomes = new Map<string, number>();
    await pool(cases, 8, async (tc, i) => {
      const o = tc.kind === 'raw' ? await runRaw(fuzz.t.ex.grpcPort, tc.b) : await runCall(fuzz.t.ex.grpcPort, tc.c);
      count(outcomes, o.status);
      // INTERNAL from grpc-js itself (an unparsable grpc-timeout, a message that does not gunzip) is its
      // answer to bad input; our handler's would say "internal error".
      assert.notEqual(o.message, 'internal error', `case ${i}`);
      if (o.status === '13') assert.match(o.message ?? '', /grpc-timeout|Failed to decompress/, `case ${i}: INTERNAL ${o.message}`);
      assert.ok(!/^http 5/.test(o.status), `case ${i}: ${o.status}`);
    });
    await assertIntact(fuzz.t.ex, fuzz.baseline);
    console.log(`# figures otlp-grpc-socket-fuzz: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  });
});
