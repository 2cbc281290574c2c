/**
 * The receivers under hostile clients, over raw sockets to a real explorer
 * process: bytes held across requests are bounded (retryable refusals), an
 * unauthenticated gRPC call is refused before its body is read, streams per
 * connection are capped, and slow or silent clients are cut off by the
 * request, header and idle timeouts (waited for as events, not timed).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hex, otlpJson, postJson, tempDir } from './helpers.ts';
import { type ExplorerProcess, startExplorerProcess, waitExit } from './process.ts';

const TOKEN = 'overload-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

async function stop(ex: ExplorerProcess | undefined, dir: string): Promise<void> {
  if (ex) {
    ex.child.kill('SIGTERM');
    await waitExit(ex.child);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A raw HTTP/1.1 request whose body is only partly sent; resolves with whatever the server answers before it closes. */
function partialHttpPost(port: number, declared: number, send: number, headers: Record<string, string> = {}) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
  socket.on('error', () => undefined);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-protobuf\r\ncontent-length: ${declared}\r\n${extra}\r\n`);
  socket.write(Buffer.alloc(send, 0x0a));
  const answered = new Promise<string>((resolve) => {
    const check = () => {
      if (/\r\n\r\n/.test(received)) resolve(received);
    };
    socket.on('data', check);
    socket.on('close', () => resolve(received));
  });
  return { socket, answered };
}

interface RawCall {
  stream: http2.ClientHttp2Stream;
  /** grpc-status of the answer (trailers-only or trailers). */
  status: Promise<number>;
}

/** A raw gRPC Export call: a message prefix declaring `declared` bytes, then `send` bytes of it; the call is left open. */
function partialGrpcCall(session: http2.ClientHttp2Session, declared: number, send: number, metadata: Record<string, string> = {}): RawCall {
  const stream = session.request({
    ':method': 'POST',
    ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    'content-type': 'application/grpc',
    te: 'trailers',
    ...metadata,
  });
  stream.on('error', () => undefined);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declared, 1);
  stream.write(Buffer.concat([prefix, Buffer.alloc(send, 0x0a)]));
  const status = new Promise<number>((resolve) => {
    const fromHeaders = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) resolve(Number(h['grpc-status']));
    };
    stream.on('response', fromHeaders);
    stream.on('trailers', fromHeaders);
  });
  stream.resume();
  return { stream, status };
}

/** An HTTP/2 connection to the gRPC port for `fn`, closed after it whatever happens. */
async function withSession(port: number, fn: (session: http2.ClientHttp2Session) => Promise<void>): Promise<void> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  try {
    await fn(session);
  } finally {
    session.destroy();
  }
}

describe('bytes held across requests are bounded (--max-inflight), and tokens are checked before bodies', () => {
  let ex: ExplorerProcess;
  const dir = tempDir();
  before(async () => {
    ex = await startExplorerProcess(dir, ['--max-body', '2MiB', '--max-inflight', '2MiB', '--token', TOKEN]);
  });
  after(() => stop(ex, dir));

  it('answers 429 + Retry-After to the OTLP/HTTP request that would hold more than the budget, then accepts again', { timeout: 30_000 }, async () => {
    const a = partialHttpPost(ex.httpPort, 2_000_000, 1_500_000, AUTH);
    const b = partialHttpPost(ex.httpPort, 2_000_000, 1_000_000, AUTH);
    // Whichever request's bytes cross the budget is refused, before its body is complete.
    const first = await Promise.race([a.answered, b.answered]);
    assert.match(first, /^HTTP\/1\.1 429/);
    assert.match(first, /retry-after: 1/i);
    a.socket.destroy();
    b.socket.destroy();
    const s = { traceId: hex(0x429, 32), spanId: hex(1, 16), name: 'after', startTimeUnixNano: '1', endTimeUnixNano: '2' };
    assert.equal((await postJson(ex.httpPort, otlpJson([s]), AUTH)).status, 200);
  });

  it('answers UNAVAILABLE to the OTLP/gRPC call that would hold more than the budget, before its message is complete', { timeout: 30_000 }, async () => {
    await withSession(ex.grpcPort, async (session) => {
      const a = partialGrpcCall(session, 2_000_000, 1_500_000, AUTH);
      const b = partialGrpcCall(session, 2_000_000, 1_000_000, AUTH);
      assert.equal(await Promise.race([a.status, b.status]), 14);
    });
  });

  it('answers UNAUTHENTICATED to an OTLP/gRPC call without the token before reading its body', { timeout: 30_000 }, async () => {
    await withSession(ex.grpcPort, async (session) => {
      // 1 MB declared, 1 KB sent: grpc-js alone would wait for the other 999 KB before any handler ran.
      const call = partialGrpcCall(session, 1_000_000, 1000);
      assert.equal(await call.status, 16);
    });
  });

  it('caps concurrent streams per OTLP/gRPC connection at 100', { timeout: 30_000 }, async () => {
    await withSession(ex.grpcPort, async (session) => {
      const settings = await new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
      assert.equal(settings.maxConcurrentStreams, 100);
    });
  });
});

describe('slow and silent clients are cut off (--request-timeout 1s, --idle-timeout 1s)', () => {
  let ex: ExplorerProcess;
  const dir = tempDir();
  before(async () => {
    ex = await startExplorerProcess(dir, ['--request-timeout', '1s', '--idle-timeout', '1s']);
  });
  after(() => stop(ex, dir));

  /** Reads (and drops) what the server sends, so its closing the connection is seen. */
  const closedByServer = (socket: net.Socket) => new Promise<void>((resolve) => socket.resume().on('close', () => resolve()));

  it('answers 408 and closes an OTLP/HTTP request whose body never ends', { timeout: 30_000 }, async () => {
    const { socket, answered } = partialHttpPost(ex.httpPort, 1000, 10);
    await closedByServer(socket);
    assert.match(await answered, /^HTTP\/1\.1 408/);
  });

  it('closes an OTLP/HTTP connection whose headers never end', { timeout: 30_000 }, async () => {
    const socket = net.connect(ex.httpPort, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    await closedByServer(socket);
  });

  it('closes an OTLP/HTTP connection that sends nothing', { timeout: 30_000 }, async () => {
    const socket = net.connect(ex.httpPort, '127.0.0.1');
    socket.on('error', () => undefined);
    await closedByServer(socket);
  });

  it('answers DEADLINE_EXCEEDED to an OTLP/gRPC call whose message never completes', { timeout: 30_000 }, async () => {
    await withSession(ex.grpcPort, async (session) => {
      const call = partialGrpcCall(session, 1000, 10);
      assert.equal(await call.status, 4);
    });
  });

  it('closes an OTLP/gRPC connection that sends nothing', { timeout: 30_000 }, async () => {
    const socket = net.connect(ex.grpcPort, '127.0.0.1');
    socket.on('error', () => undefined);
    await closedByServer(socket);
  });

  it('closes an idle OTLP/gRPC connection after its last call', { timeout: 30_000 }, async () => {
    const session = http2.connect(`http://127.0.0.1:${ex.grpcPort}`);
    session.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => session.on('close', () => resolve()));
    const goaway = new Promise<void>((resolve) => session.on('goaway', () => resolve()));
    await Promise.all([closed, goaway]);
  });
});
