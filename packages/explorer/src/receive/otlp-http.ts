/**
 * OTLP/HTTP receiver: `POST /v1/traces` with application/x-protobuf or
 * application/json, optionally gzip-encoded
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp). Failures answer with a
 * google.rpc.Status in the request's encoding: 400 malformed, 413 too large,
 * 415 unknown type or encoding, 429 + Retry-After when the write queue is
 * full, 503 + Retry-After while shutting down.
 */
import http from 'node:http';
import { createGunzip } from 'node:zlib';
import { type Auth, sendUnauthorizedJson } from '../security/auth.ts';
import { corsHeaders, sendPreflight } from '../security/cors.ts';
import { refuseForeignHost } from '../security/host-check.ts';
import type { Store } from '../store/store.ts';
import { StoreBusyError, StoreClosedError, StoreUnavailableError } from '../store/store.ts';
import { MalformedPayloadError, decodeJson, decodeProtobuf } from './decode.ts';
import type { TraceFeed } from './trace-feed.ts';
import { responseJson, responseProtobuf, storeDecoded } from './export.ts';
import type { SpanLimits } from './limits.ts';
import { RpcStatus } from './otlp-schema.ts';

export interface OtlpHttpOptions {
  store: Store;
  limits: SpanLimits;
  /** Largest accepted body, after decompression. */
  maxBodyBytes: number;
  onError?: (err: Error) => void;
  /** Bearer-token check, before any byte of the body is read. */
  auth?: Auth;
  /** Browser exporters' origin; default none (CORS closed). */
  corsOrigin?: string;
  /** Told which traces each export stored (live updates). */
  feed?: TraceFeed;
}

type Encoding = 'protobuf' | 'json';

class TooLargeError extends Error {}

function send(res: http.ServerResponse, status: number, enc: Encoding, body: Uint8Array | string, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': enc === 'json' ? 'application/json' : 'application/x-protobuf',
    ...headers,
  });
  res.end(body);
}

function sendStatus(res: http.ServerResponse, status: number, enc: Encoding, message: string, headers: Record<string, string> = {}) {
  // google.rpc.Code: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE, 12 UNIMPLEMENTED.
  const code = status === 400 || status === 413 ? 3 : status === 429 ? 8 : status === 503 ? 14 : 12;
  const body = enc === 'json' ? JSON.stringify({ code, message }) : RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
  send(res, status, enc, body, headers);
}

function readBody(req: http.IncomingMessage, gzip: boolean, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const source = gzip ? req.pipe(createGunzip()) : req;
    source.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        source.removeAllListeners('data');
        if (gzip) (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
        req.resume(); // drain so the 413 reply can be read
        reject(new TooLargeError());
        return;
      }
      chunks.push(c);
    });
    source.on('end', () => resolve(Buffer.concat(chunks)));
    source.on('error', (err: Error) => reject(new MalformedPayloadError(`cannot decompress body: ${err.message}`)));
    req.on('error', reject);
  });
}

export function createOtlpHttpHandler(opts: OtlpHttpOptions): http.RequestListener {
  return (req, res) => {
    if (refuseForeignHost(opts.auth, req, res)) return;
    void handle(req, res, opts).catch((err: Error) => {
      opts.onError?.(err);
      sendStatus(res, 500, 'json', 'internal error');
    });
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, opts: OtlpHttpOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'OPTIONS') {
    // CORS preflight for browser exporters: only for the configured origin.
    sendPreflight(res, opts.corsOrigin, req, 'POST, OPTIONS');
    return;
  }
  if (opts.auth?.enabled && !opts.auth.checkAuthorization(req.headers.authorization)) {
    // The body is never read; `connection: close` drops whatever is still coming.
    sendUnauthorizedJson(res);
    return;
  }
  for (const [k, v] of Object.entries(corsHeaders(opts.corsOrigin, req))) res.setHeader(k, v);
  if (url.pathname !== '/v1/traces') {
    sendStatus(res, 404, 'json', `no such endpoint ${url.pathname}: OTLP/HTTP traces go to POST /v1/traces`);
    req.resume();
    return;
  }
  if (req.method !== 'POST') {
    sendStatus(res, 405, 'json', 'use POST', { allow: 'POST' });
    req.resume();
    return;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const enc: Encoding | undefined = type === 'application/x-protobuf' ? 'protobuf' : type === 'application/json' ? 'json' : undefined;
  if (!enc) {
    sendStatus(res, 415, 'json', `unsupported content type ${JSON.stringify(type)}: use application/x-protobuf or application/json`);
    req.resume();
    return;
  }
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
    sendStatus(res, 415, enc, `unsupported content encoding ${JSON.stringify(contentEncoding)}: use gzip or none`);
    req.resume();
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > opts.maxBodyBytes) {
    sendStatus(res, 413, enc, `body of ${declared} bytes is over the limit of ${opts.maxBodyBytes}`, { connection: 'close' });
    req.resume();
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(req, contentEncoding === 'gzip', opts.maxBodyBytes);
  } catch (err) {
    if (err instanceof TooLargeError) sendStatus(res, 413, enc, `body is over the limit of ${opts.maxBodyBytes} bytes`, { connection: 'close' });
    else sendStatus(res, 400, enc, (err as Error).message);
    return;
  }
  try {
    const decoded = enc === 'json' ? decodeJson(body.toString('utf8'), opts.limits) : decodeProtobuf(body, opts.limits);
    const outcome = await storeDecoded(opts.store, decoded, opts.feed);
    send(res, 200, enc, enc === 'json' ? JSON.stringify(responseJson(outcome)) : responseProtobuf(outcome));
  } catch (err) {
    if (err instanceof MalformedPayloadError) sendStatus(res, 400, enc, err.message);
    else if (err instanceof StoreBusyError) sendStatus(res, 429, enc, err.message, { 'retry-after': String(err.retryAfterSeconds) });
    else if (err instanceof StoreClosedError) sendStatus(res, 503, enc, err.message, { 'retry-after': '5' });
    else if (err instanceof StoreUnavailableError) sendStatus(res, 503, enc, err.message, { 'retry-after': String(err.retryAfterSeconds) });
    else throw err;
  }
}

export function startOtlpHttp(opts: OtlpHttpOptions, host: string, port: number): Promise<http.Server> {
  const server = http.createServer({ maxHeaderSize: 16 * 1024 }, createOtlpHttpHandler(opts));
  server.headersTimeout = 10_000;
  // Large exports over slow links are fine; idle keep-alive sockets should not pin shutdown.
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
