/**
 * OTLP/gRPC receiver: opentelemetry.proto.collector.trace.v1.TraceService/Export
 * (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc). The service uses
 * identity (de)serializers so the raw bytes reach our own decoder; grpc-js
 * handles gzip message compression. grpc-guard.ts checks the token, the
 * in-flight bytes and the receive time before the handler runs; failures are
 * mapped by export-errors.ts (malformed -> INVALID_ARGUMENT, overload, store
 * unavailable or shutting down -> UNAVAILABLE, retryable per the spec).
 */
import * as grpc from '@grpc/grpc-js';
import type { Auth } from '../security/auth.ts';
import type { Store } from '../store/store.ts';
import { exportFailure } from './export-errors.ts';
import type { TraceFeed } from './trace-feed.ts';
import { responseProtobuf, storeProtobuf } from './export.ts';
import { guardInterceptor } from './grpc-guard.ts';
import { InflightBytes } from './inflight.ts';
import type { SpanLimits } from './limits.ts';
import { TRACE_EXPORT_PATH } from './otlp-schema.ts';

export interface OtlpGrpcOptions {
  store: Store;
  limits: SpanLimits;
  maxBodyBytes: number;
  onError?: (err: Error) => void;
  /** Checks metadata `authorization: Bearer <token>` before any of the body is read. */
  auth?: Auth;
  /** Request bytes both receivers may hold at once; default 4 x maxBodyBytes, this receiver's own. */
  inflight?: InflightBytes;
  /** Time for a call's message to arrive, ms; default 30 s. Also the grace period of an aged connection. */
  requestTimeoutMs?: number;
  /** A connection without calls for this long is closed (GOAWAY), ms; default 60 s. */
  idleTimeoutMs?: number;
  /** Told which traces each export stored (live updates). */
  feed?: TraceFeed;
}

/** Streams per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS); more wait in the client. */
export const MAX_CONCURRENT_STREAMS = 100;
/** Connections are recycled after about this long (grpc-js adds ±10% jitter). */
const MAX_CONNECTION_AGE_MS = 10 * 60_000;

const identity = (b: Buffer): Buffer => b;

const traceService: grpc.ServiceDefinition = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function exportHandler(opts: OtlpGrpcOptions): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    // Decoding throws synchronously, so both failures reach the one mapping.
    Promise.resolve()
      .then(() => storeProtobuf(opts.store, call.request, opts.limits, opts.feed))
      .then(
        (outcome) => callback(null, Buffer.from(responseProtobuf(outcome))),
        (err: Error) => {
          const failure = exportFailure(err);
          if (failure) return callback({ code: failure.grpc, details: failure.message });
          opts.onError?.(err);
          callback({ code: grpc.status.INTERNAL, details: 'internal error' });
        },
      );
  };
}

export async function startOtlpGrpc(opts: OtlpGrpcOptions, host: string, port: number): Promise<{ server: grpc.Server; port: number }> {
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxBodyBytes,
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
    'grpc.max_connection_idle_ms': opts.idleTimeoutMs ?? 60_000,
    'grpc.max_connection_age_ms': MAX_CONNECTION_AGE_MS,
    'grpc.max_connection_age_grace_ms': requestTimeoutMs,
    interceptors: [
      guardInterceptor({
        ...(opts.auth ? { auth: opts.auth } : {}),
        inflight: opts.inflight ?? new InflightBytes(4 * opts.maxBodyBytes),
        receiveTimeoutMs: requestTimeoutMs,
      }),
    ],
  });
  server.addService(traceService, { Export: exportHandler(opts) });
  const bound = await new Promise<number>((resolve, reject) => {
    const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return { server, port: bound };
}

export function stopGrpc(server: grpc.Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
