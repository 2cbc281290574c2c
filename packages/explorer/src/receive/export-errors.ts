/**
 * One mapping from an export's failure to what both receivers answer, after
 * the OTLP spec's retry rules (https://opentelemetry.io/docs/specs/otlp/#failures,
 * #failures-1): HTTP 429/502/503/504 and gRPC UNAVAILABLE are retryable;
 * 400 / INVALID_ARGUMENT are not. gRPC RESOURCE_EXHAUSTED is retryable only
 * with a RetryInfo, which we do not send, so overload answers UNAVAILABLE.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { StoreBusyError, StoreClosedError, StoreCorruptError, StoreUnavailableError, StoreVersionError } from '../store/store.ts';
import { MalformedPayloadError } from './decode-context.ts';
import { ReceiverBusyError } from './inflight.ts';

export interface ExportFailure {
  http: number;
  grpc: GrpcStatus;
  message: string;
  /** Sent as HTTP Retry-After. */
  retryAfterSeconds?: number;
}

/** The answer for a failed export; undefined for an unexpected error (500 / INTERNAL, logged, no details). */
export function exportFailure(err: unknown): ExportFailure | undefined {
  if (err instanceof MalformedPayloadError) return { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, message: err.message };
  if (err instanceof StoreBusyError || err instanceof ReceiverBusyError) {
    return { http: 429, grpc: GrpcStatus.UNAVAILABLE, message: err.message, retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StoreUnavailableError) {
    return { http: 503, grpc: GrpcStatus.UNAVAILABLE, message: err.message, retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StoreClosedError) return { http: 503, grpc: GrpcStatus.UNAVAILABLE, message: err.message, retryAfterSeconds: 5 };
  // A store shard whose files cannot be opened again (shard-client.ts): not retryable, and said
  // without its message, which names the server's paths; the explorer's log has it, once.
  if (err instanceof StoreCorruptError || err instanceof StoreVersionError) {
    return { http: 500, grpc: GrpcStatus.INTERNAL, message: 'part of the trace store cannot be opened; it refuses writes until the explorer is restarted (see its log)' };
  }
  return undefined;
}
