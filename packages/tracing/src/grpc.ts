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
  type ServerUnaryCall,
  type ServiceDefinition,
  type StatusObject,
  type UntypedServiceImplementation,
  type sendUnaryData,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { type Attributes, SpanKind, type SpanOptions, context, trace } from '@opentelemetry/api';
import { grpcMetadataSetter } from './carriers.ts';
import { MessageEvents, endOnCancel, endWithStatus, rpcAttributes, startServerRpcSpan, tracedReply } from './grpc-span.ts';
import { type StreamingKind, traceStreaming } from './grpc-streaming.ts';
import { inject } from './propagation.ts';
import { recordError, tracer } from './span.ts';

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
  // A client calls a few methods many times: name and attributes are built once per method
  // (the SDK copies attributes into each span, so one object can be shared).
  const perMethod = new Map<string, { name: string; options: SpanOptions }>();
  const spanFor = (path: string): { name: string; options: SpanOptions } => {
    let cached = perMethod.get(path);
    if (!cached) {
      const { name, attributes } = rpcAttributes(path);
      cached = { name, options: Object.freeze({ kind: SpanKind.CLIENT, attributes: Object.freeze({ ...attributes, ...server }) }) };
      perMethod.set(path, cached);
    }
    return cached;
  };
  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const { name, options: spanOptions } = spanFor(definition.path);
    const span = tracer().startSpan(name, spanOptions);
    const spanContext = trace.setSpan(context.active(), span);
    // Unary calls carry one message each way; only streams get per-message events.
    const events = definition.requestStream || definition.responseStream ? new MessageEvents(span) : undefined;
    return new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        inject(metadata, grpcMetadataSetter, spanContext);
        next(metadata, {
          onReceiveMessage(message, nextMessage) {
            events?.received();
            nextMessage(message);
          },
          onReceiveStatus(status: StatusObject, nextStatus) {
            endWithStatus(span, status.code, status.details, status.code !== GrpcStatus.OK);
            nextStatus(status);
          },
        });
      },
      sendMessage(message, next) {
        events?.sent();
        next(message);
      },
    });
  };
}

export interface GrpcServerTracingOptions {
  /** Status codes that mark the SERVER span as failed; see DEFAULT_SERVER_ERROR_CODES. */
  errorCodes?: readonly number[];
}

type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;

function traceUnary(path: string, handler: UnaryHandler, errorCodes: ReadonlySet<number>): UnaryHandler {
  const { name, attributes } = rpcAttributes(path);
  return (call, callback) => {
    const { span, parent } = startServerRpcSpan(name, attributes, call);
    const { reply, settled, settle } = tracedReply(span, callback, errorCodes);
    const fail = (error: unknown): void => {
      recordError(span, error);
      reply({ code: GrpcStatus.INTERNAL, details: 'internal error', name: 'Error', message: 'internal error' });
    };
    endOnCancel(call, span, settled, settle);
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
 * Wraps a service implementation so every handler runs inside a SERVER span
 * continuing the caller's trace. A handler that throws or rejects answers
 * INTERNAL instead of crashing the process. Streaming methods (client, server
 * and bidi) get `rpc.message` events for each message sent and received; their
 * span ends with the status the stream ends with.
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
    if (!handler) continue;
    const kind = streamingKind(method.requestStream, method.responseStream);
    const traced = kind
      ? traceStreaming(kind, method.path, handler, errorCodes)
      : traceUnary(method.path, handler as unknown as UnaryHandler, errorCodes);
    wrapped[key] = traced as unknown as I[string];
  }
  return wrapped as I;
}

function streamingKind(requestStream: boolean, responseStream: boolean): StreamingKind | undefined {
  if (requestStream && responseStream) return 'bidi';
  if (requestStream) return 'client';
  if (responseStream) return 'server';
  return undefined;
}
