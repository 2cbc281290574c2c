/**
 * OTLP/HTTP receiver: `POST /v1/traces` with application/x-protobuf or
 * application/json, optionally gzip-encoded
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp). Failures answer with a
 * google.rpc.Status in the request's encoding: 400 malformed, 413 too large,
 * 415 unknown type or encoding, and what export-errors.ts maps the rest to
 * (429 / 503 + Retry-After, retryable). Every request is bounded in bytes (the
 * body limit, the shared in-flight budget) and in time (headers, whole request).
 */
import http from 'node:http';
import { answerHalfClosedRequests } from '../http-half-close.ts';
import { createGunzip } from 'node:zlib';
import { type Auth, sendUnauthorizedJson } from '../security/auth.ts';
import { corsHeaders, sendPreflight } from '../security/cors.ts';
import { refuseForeignHost } from '../security/host-check.ts';
import type { Store } from '../store/store.ts';
import { decodeJson } from './decode.ts';
import { MalformedPayloadError } from './decode-context.ts';
import { exportFailure } from './export-errors.ts';
import type { TraceFeed } from './trace-feed.ts';
import { responseJson, responseProtobuf, storeDecoded, storeProtobuf } from './export.ts';
import { InflightBytes, type InflightLease, ReceiverBusyError } from './inflight.ts';
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
  /** Request bytes both receivers may hold at once; default 4 x maxBodyBytes, this receiver's own. */
  inflight?: InflightBytes;
  /** Time to receive a whole request, headers and body, ms; default 30 s (headers: 10 s at most). */
  requestTimeoutMs?: number;
  /** Told which traces each export stored (live updates). */
  feed?: TraceFeed;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

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
  // google.rpc.Code: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE, 13 INTERNAL, 12 UNIMPLEMENTED.
  const code = status === 400 || status === 413 ? 3 : status === 429 ? 8 : status === 503 ? 14 : status === 500 ? 13 : 12;
  const body = enc === 'json' ? JSON.stringify({ code, message }) : RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
  send(res, status, enc, body, headers);
}

/** Reads the body (gunzipped), holding each chunk in the lease; refuses past `max` or the shared budget. */
function readBody(req: http.IncomingMessage, gzip: boolean, max: number, lease: InflightLease, budget: InflightBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const source = gzip ? req.pipe(createGunzip()) : req;
    const refuse = (err: Error) => {
      source.removeAllListeners('data');
      if (gzip) (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
      chunks.length = 0;
      lease.release();
      req.resume(); // drain (bounded by the request timeout) so the answer can be read
      reject(err);
    };
    source.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) refuse(new TooLargeError());
      else if (!lease.take(c.length)) refuse(new ReceiverBusyError(budget.max));
      else chunks.push(c);
    });
    source.on('end', () => resolve(Buffer.concat(chunks, size)));
    source.on('error', (err: Error) => reject(new MalformedPayloadError(`cannot decompress body: ${err.message}`)));
    req.on('error', reject);
  });
}

/** The path of a request target, or undefined when it is none (`//`, `*`, garbage). */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://x').pathname;
  } catch {
    return undefined;
  }
}

export function createOtlpHttpHandler(opts: OtlpHttpOptions): http.RequestListener {
  const budget = opts.inflight ?? new InflightBytes(4 * opts.maxBodyBytes);
  return (req, res) => {
    if (refuseForeignHost(opts.auth, req, res)) return;
    const lease = budget.lease();
    void handle(req, res, opts, lease, budget)
      .catch((err: Error) => {
        opts.onError?.(err);
        sendStatus(res, 500, 'json', 'internal error');
      })
      .finally(() => lease.release());
  };
}

/** Refuses what can be refused before any of the body is read; what to decode with, or undefined once answered. */
function admit(req: http.IncomingMessage, res: http.ServerResponse, opts: OtlpHttpOptions): { enc: Encoding; gzip: boolean } | undefined {
  const pathname = pathOf(req.url);
  if (req.method === 'OPTIONS') {
    // CORS preflight for browser exporters: only for the configured origin.
    sendPreflight(res, opts.corsOrigin, req, 'POST, OPTIONS');
    return undefined;
  }
  if (opts.auth?.enabled && !opts.auth.checkAuthorization(req.headers.authorization)) {
    // The body is never read; `connection: close` drops whatever is still coming.
    sendUnauthorizedJson(res);
    return undefined;
  }
  for (const [k, v] of Object.entries(corsHeaders(opts.corsOrigin, req))) res.setHeader(k, v);
  const refuse = (status: number, enc: Encoding, message: string, headers: Record<string, string> = {}): undefined => {
    sendStatus(res, status, enc, message, headers);
    req.resume();
    return undefined;
  };
  if (pathname === undefined) return refuse(400, 'json', 'the request target is not a URL path: OTLP/HTTP traces go to POST /v1/traces');
  if (pathname !== '/v1/traces') return refuse(404, 'json', `no such endpoint ${pathname.slice(0, 200)}: OTLP/HTTP traces go to POST /v1/traces`);
  if (req.method !== 'POST') return refuse(405, 'json', 'use POST', { allow: 'POST' });
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const enc: Encoding | undefined = type === 'application/x-protobuf' ? 'protobuf' : type === 'application/json' ? 'json' : undefined;
  if (!enc) return refuse(415, 'json', `unsupported content type ${JSON.stringify(type)}: use application/x-protobuf or application/json`);
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') return refuse(415, enc, `unsupported content encoding ${JSON.stringify(contentEncoding)}: use gzip or none`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > opts.maxBodyBytes) return refuse(413, enc, `body of ${declared} bytes is over the limit of ${opts.maxBodyBytes}`, { connection: 'close' });
  return { enc, gzip: contentEncoding === 'gzip' };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, opts: OtlpHttpOptions, lease: InflightLease, budget: InflightBytes): Promise<void> {
  const admitted = admit(req, res, opts);
  if (!admitted) return;
  const { enc, gzip } = admitted;
  let body: Buffer;
  try {
    body = await readBody(req, gzip, opts.maxBodyBytes, lease, budget);
  } catch (err) {
    if (err instanceof TooLargeError) sendStatus(res, 413, enc, `body is over the limit of ${opts.maxBodyBytes} bytes`, { connection: 'close' });
    else if (err instanceof ReceiverBusyError) sendStatus(res, 429, enc, err.message, { 'retry-after': String(err.retryAfterSeconds), connection: 'close' });
    else sendStatus(res, 400, enc, (err as Error).message);
    return;
  }
  try {
    const outcome =
      enc === 'json'
        ? await storeDecoded(opts.store, decodeJson(body.toString('utf8'), opts.limits), opts.limits.spansPerWrite, opts.feed)
        : await storeProtobuf(opts.store, body, opts.limits, opts.feed);
    send(res, 200, enc, enc === 'json' ? JSON.stringify(responseJson(outcome)) : responseProtobuf(outcome));
  } catch (err) {
    const failure = exportFailure(err);
    if (!failure) throw err;
    sendStatus(res, failure.http, enc, failure.message, failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) });
  }
}

/**
 * Node's defaults let a slow or endless body hold a socket for 300 s, checked
 * every 30 s: here the whole request gets `requestTimeoutMs` (then 408 and the
 * socket is closed), headers at most 10 s of it (a connection that sends
 * nothing included), and the sweep runs often enough to keep to them.
 */
export function startOtlpHttp(opts: OtlpHttpOptions, host: string, port: number): Promise<http.Server> {
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const server = http.createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout,
      headersTimeout: Math.min(10_000, requestTimeout),
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeout / 4))),
    },
    createOtlpHttpHandler(opts),
  );
  // Idle keep-alive sockets are closed after 5 s, so they never pin shutdown either.
  server.keepAliveTimeout = 5000;
  // An export is acknowledged only after its durable write: a client that half-closed meanwhile still gets that answer.
  answerHalfClosedRequests(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
