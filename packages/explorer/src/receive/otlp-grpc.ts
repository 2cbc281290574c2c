/**
 * OTLP/gRPC receiver: opentelemetry.proto.collector.trace.v1.TraceService/Export
 * (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc). The service uses
 * identity (de)serializers so the raw bytes reach our own decoder; grpc-js
 * handles gzip message compression. Malformed -> INVALID_ARGUMENT, queue full
 * or shutting down -> UNAVAILABLE (retryable per the spec).
 */
import * as grpc from '@grpc/grpc-js';
import type { Auth } from '../security/auth.ts';
import type { Store } from '../store/store.ts';
import { StoreBusyError, StoreClosedError, StoreUnavailableError } from '../store/store.ts';
import { MalformedPayloadError, decodeProtobuf } from './decode.ts';
import type { TraceFeed } from './trace-feed.ts';
import { responseProtobuf, storeDecoded } from './export.ts';
import type { SpanLimits } from './limits.ts';
import { TRACE_EXPORT_PATH } from './otlp-schema.ts';

export interface OtlpGrpcOptions {
  store: Store;
  limits: SpanLimits;
  maxBodyBytes: number;
  onError?: (err: Error) => void;
  /** Checks metadata `authorization: Bearer <token>` before decoding. */
  auth?: Auth;
  /** Told which traces each export stored (live updates). */
  feed?: TraceFeed;
}

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

export async function startOtlpGrpc(opts: OtlpGrpcOptions, host: string, port: number): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxBodyBytes,
  });
  const exportHandler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    if (opts.auth?.enabled) {
      const header = call.metadata.get('authorization').find((v): v is string => typeof v === 'string');
      if (!opts.auth.checkAuthorization(header)) {
        callback({ code: grpc.status.UNAUTHENTICATED, details: 'unauthorized: send metadata authorization: Bearer <token>' });
        return;
      }
    }
    let decoded;
    try {
      decoded = decodeProtobuf(call.request, opts.limits);
    } catch (err) {
      const details = err instanceof MalformedPayloadError ? err.message : 'cannot decode request';
      callback({ code: grpc.status.INVALID_ARGUMENT, details });
      return;
    }
    storeDecoded(opts.store, decoded, opts.feed).then(
      (outcome) => callback(null, Buffer.from(responseProtobuf(outcome))),
      (err: Error) => {
        if (err instanceof StoreBusyError || err instanceof StoreClosedError || err instanceof StoreUnavailableError) {
          callback({ code: grpc.status.UNAVAILABLE, details: err.message });
        } else {
          opts.onError?.(err);
          callback({ code: grpc.status.INTERNAL, details: 'internal error' });
        }
      },
    );
  };
  server.addService(traceService, { Export: exportHandler });
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
