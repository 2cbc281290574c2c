/**
 * What the gRPC client interceptor and the server wrappers share: span names
 * and `rpc.*` attributes, status mapping, the SERVER span of an incoming call,
 * and the `rpc.message` events of streaming calls. Per
 * https://opentelemetry.io/docs/specs/semconv/rpc/rpc-spans/ and
 * https://opentelemetry.io/docs/specs/semconv/rpc/grpc/
 */
import { type Metadata, type ServerErrorResponse, type StatusObject, type sendUnaryData, status as GrpcStatus } from '@grpc/grpc-js';
import { type Attributes, type Context, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { grpcMetadataGetter } from './carriers.ts';
import { extract } from './propagation.ts';
import { tracer } from './span.ts';

const STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

/** Splits `/pkg.Service/Method` into semconv `rpc.service` and `rpc.method`. */
function rpcNames(path: string): { service: string; method: string } {
  const [, service = 'unknown', method = 'unknown'] = path.split('/');
  return { service, method };
}

export function rpcAttributes(path: string): { name: string; attributes: Attributes } {
  const { service, method } = rpcNames(path);
  return {
    name: `${service}/${method}`,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
  };
}

export function endWithStatus(span: Span, code: number, details: string | undefined, isError: boolean): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (isError) {
    span.setAttribute('error.type', STATUS_NAMES[code] ?? String(code));
    span.setStatus({ code: SpanStatusCode.ERROR, ...(details ? { message: details } : {}) });
  }
  span.end();
}

/** The status a handler's error (or `null`) answers with, as grpc-js maps it. */
export function statusOf(error: ServerErrorResponse | Partial<StatusObject> | null | undefined): { code: number; details?: string } {
  if (!error) return { code: GrpcStatus.OK };
  const code = typeof error.code === 'number' ? error.code : GrpcStatus.UNKNOWN;
  const details = 'details' in error && error.details ? error.details : 'message' in error ? error.message : undefined;
  return details === undefined ? { code } : { code, details };
}

/** What the server wrappers read of any kind of server call. */
export interface IncomingCall {
  metadata: Metadata;
  getPeer?(): string;
}

/** The SERVER span of an incoming call, continuing the caller's context from its metadata. */
export function startServerRpcSpan(name: string, attributes: Attributes, call: IncomingCall): { span: Span; parent: Context } {
  const parent = extract(call.metadata, grpcMetadataGetter);
  const peer = /^(?:ipv4:|ipv6:)?\[?([^\]]*)\]?:(\d+)$/.exec(call.getPeer?.() ?? '');
  const span = tracer().startSpan(
    name,
    {
      kind: SpanKind.SERVER,
      attributes: { ...attributes, ...(peer ? { 'client.address': peer[1], 'client.port': Number(peer[2]) } : {}) },
    },
    parent,
  );
  return { span, parent };
}

/**
 * `rpc.message` events of one streaming call: `rpc.message.type` SENT or
 * RECEIVED, `rpc.message.id` counting from 1 in each direction, as the RPC
 * conventions ask. A span keeps the latest events up to its event limit
 * (`OTEL_SPAN_EVENT_COUNT_LIMIT`, 128 by default) and counts the rest as dropped.
 */
export class MessageEvents {
  private sentCount = 0;
  private receivedCount = 0;

  constructor(private readonly span: Span) {}

  sent(): void {
    this.span.addEvent('rpc.message', { 'rpc.message.type': 'SENT', 'rpc.message.id': ++this.sentCount });
  }

  received(): void {
    this.span.addEvent('rpc.message', { 'rpc.message.type': 'RECEIVED', 'rpc.message.id': ++this.receivedCount });
  }
}

/**
 * Wraps the callback of a unary or client-streaming handler so the SERVER span
 * ends with the status it answers (once), server faults recorded; `events`
 * (client-streaming) counts the reply as the message SENT.
 */
export function tracedReply<T>(
  span: Span,
  callback: sendUnaryData<T>,
  errorCodes: ReadonlySet<number>,
  events?: MessageEvents,
): { reply: sendUnaryData<T>; settled: () => boolean; settle: () => void } {
  let done = false;
  const reply: sendUnaryData<T> = (error, value, trailer, flags) => {
    if (!done) {
      done = true;
      const { code, details } = statusOf(error);
      if (!error) events?.sent();
      if (error instanceof Error && errorCodes.has(code)) span.recordException(error);
      endWithStatus(span, code, details, errorCodes.has(code));
    }
    callback(error, value, trailer, flags);
  };
  return {
    reply,
    settled: () => done,
    settle: () => {
      done = true;
    },
  };
}

/** Ends the span as CANCELLED (not an error of the server) when the client goes away first. */
export function endOnCancel(call: NodeJS.EventEmitter, span: Span, settled: () => boolean, settle: () => void): void {
  call.once('cancelled', () => {
    if (settled()) return;
    settle();
    endWithStatus(span, GrpcStatus.CANCELLED, 'cancelled by client', false);
  });
}
