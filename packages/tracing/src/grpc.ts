/**
 * gRPC (@grpc/grpc-js): a client interceptor that injects context into call
 * metadata under a CLIENT span, and a service wrapper that extracts it and runs
 * each handler inside a SERVER span. Attributes per the RPC conventions:
 * https://opentelemetry.io/docs/specs/semconv/rpc/grpc/
 *
 * Exported from `@tracewire/tracing/grpc` so services without gRPC never load it.
 */
import {
  InterceptingCall,
  type Interceptor,
  type Metadata,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServiceDefinition,
  type StatusObject,
  type UntypedServiceImplementation,
  type sendUnaryData,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { type Attributes, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { grpcMetadataGetter, grpcMetadataSetter } from './carriers.ts';
import { extract, inject } from './propagation.ts';
import { recordError, tracer } from './span.ts';

const STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

/**
 * Codes that mark a SERVER span as failed: the server's own fault. Codes such as
 * NOT_FOUND or FAILED_PRECONDITION describe the caller's request and leave the
 * server span unset (they are still errors on the CLIENT span).
 */
export const DEFAULT_SERVER_ERROR_CODES: readonly number[] = [
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
];

/** Splits `/pkg.Service/Method` into semconv `rpc.service` and `rpc.method`. */
function rpcNames(path: string): { service: string; method: string } {
  const [, service = 'unknown', method = 'unknown'] = path.split('/');
  return { service, method };
}

function rpcAttributes(path: string): { name: string; attributes: Attributes } {
  const { service, method } = rpcNames(path);
  return {
    name: `${service}/${method}`,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
  };
}

function endWithStatus(span: Span, code: number, details: string | undefined, isError: boolean): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (isError) {
    span.setAttribute('error.type', STATUS_NAMES[code] ?? String(code));
    span.setStatus({ code: SpanStatusCode.ERROR, ...(details ? { message: details } : {}) });
  }
  span.end();
}

export interface GrpcClientTracingOptions {
  /** `host:port` of the server, recorded as `server.address`/`server.port`. */
  target?: string;
}

/**
 * Client interceptor: a CLIENT span per call, context injected into metadata.
 * Any non-OK status marks the span as failed.
 *
 * @example
 * const client = new OrdersClient(target, credentials.createInsecure(), {
 *   interceptors: [grpcClientInterceptor({ target })],
 * });
 */
export function grpcClientInterceptor(options: GrpcClientTracingOptions = {}): Interceptor {
  const server: Attributes = {};
  const m = options.target ? /^(.*):(\d+)$/.exec(options.target) : null;
  if (m) Object.assign(server, { 'server.address': m[1], 'server.port': Number(m[2]) });
  return (callOptions, nextCall) => {
    const { name, attributes } = rpcAttributes(callOptions.method_definition.path);
    const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes: { ...attributes, ...server } });
    const spanContext = trace.setSpan(context.active(), span);
    return new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        inject(metadata, grpcMetadataSetter, spanContext);
        next(metadata, {
          onReceiveStatus(status: StatusObject, nextStatus) {
            endWithStatus(span, status.code, status.details, status.code !== GrpcStatus.OK);
            nextStatus(status);
          },
        });
      },
    });
  };
}

export interface GrpcServerTracingOptions {
  /** Status codes that mark the SERVER span as failed; see DEFAULT_SERVER_ERROR_CODES. */
  errorCodes?: readonly number[];
}

type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;

function statusOf(error: ServerErrorResponse | Partial<StatusObject> | null): { code: number; details?: string } {
  if (!error) return { code: GrpcStatus.OK };
  const code = typeof error.code === 'number' ? error.code : GrpcStatus.UNKNOWN;
  const details = 'details' in error && error.details ? error.details : 'message' in error ? error.message : undefined;
  return details === undefined ? { code } : { code, details };
}

function traceUnary(path: string, handler: UnaryHandler, errorCodes: ReadonlySet<number>): UnaryHandler {
  const { name, attributes } = rpcAttributes(path);
  return (call, callback) => {
    const parent = extract(call.metadata as Metadata, grpcMetadataGetter);
    const peer = /^(?:ipv4:|ipv6:)?\[?([^\]]*)\]?:(\d+)$/.exec(call.getPeer?.() ?? '');
    const span = tracer().startSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: { ...attributes, ...(peer ? { 'client.address': peer[1], 'client.port': Number(peer[2]) } : {}) },
      },
      parent,
    );
    let done = false;
    const reply: sendUnaryData<unknown> = (error, value, trailer, flags) => {
      if (!done) {
        done = true;
        const { code, details } = statusOf(error);
        if (error instanceof Error && errorCodes.has(code)) span.recordException(error);
        endWithStatus(span, code, details, errorCodes.has(code));
      }
      callback(error, value, trailer, flags);
    };
    const fail = (error: unknown): void => {
      recordError(span, error);
      reply({ code: GrpcStatus.INTERNAL, details: 'internal error', name: 'Error', message: 'internal error' });
    };
    call.once('cancelled', () => {
      if (done) return;
      done = true;
      endWithStatus(span, GrpcStatus.CANCELLED, 'cancelled by client', false);
    });
    context.with(trace.setSpan(parent, span), () => {
      try {
        // Async handlers would otherwise turn a rejection into an unhandled crash.
        const result = handler(call, reply);
        if (result instanceof Promise) result.catch(fail);
      } catch (error) {
        fail(error);
      }
    });
  };
}

/**
 * Wraps a service implementation so every unary handler runs inside a SERVER
 * span continuing the caller's trace. A handler that throws or rejects answers
 * INTERNAL instead of crashing the process. Streaming methods pass through untraced.
 *
 * @example
 * server.addService(InventoryService.service, traceGrpcService(InventoryService.service, impl));
 */
export function traceGrpcService<I extends UntypedServiceImplementation>(
  definition: ServiceDefinition,
  implementation: I,
  options: GrpcServerTracingOptions = {},
): I {
  const errorCodes = new Set(options.errorCodes ?? DEFAULT_SERVER_ERROR_CODES);
  const wrapped: UntypedServiceImplementation = { ...implementation };
  for (const [name, method] of Object.entries(definition)) {
    // grpc-js accepts handlers under the proto name (`Say`) or its camelCase original (`say`).
    const key = name in implementation ? name : (method.originalName ?? name);
    const handler = implementation[key];
    if (!handler || method.requestStream || method.responseStream) continue;
    wrapped[key] = traceUnary(method.path, handler as unknown as UnaryHandler, errorCodes) as unknown as I[string];
  }
  return wrapped as I;
}
