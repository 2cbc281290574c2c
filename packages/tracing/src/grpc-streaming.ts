/**
 * SERVER spans for streaming gRPC handlers (client-streaming, server-streaming,
 * bidi), with an `rpc.message` event per message received and sent. Only the
 * calls' public stream surface is used: messages arriving are counted where
 * grpc-js `push`es them (so the handler's own reading mode is untouched),
 * messages leaving where the handler `write`s them, and the span ends with the
 * status the stream ends with (`finish` after `end()` or an `error`).
 */
import type { Readable, Writable } from 'node:stream';
import {
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerWritableStream,
  type UntypedHandleCall,
  type sendUnaryData,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { type Context, type Span, context, trace } from '@opentelemetry/api';
import { MessageEvents, endOnCancel, endWithStatus, rpcAttributes, startServerRpcSpan, statusOf, tracedReply } from './grpc-span.ts';
import { recordError } from './span.ts';

export type StreamingKind = 'client' | 'server' | 'bidi';

type ClientStreamHandler = (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;
type WritingCall = ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>;
/** Server-streaming and bidi handlers: they answer by writing to the call and ending it. */
type WritingHandler = (call: WritingCall) => unknown;

const INTERNAL = { code: GrpcStatus.INTERNAL, details: 'internal error' };

/** Wraps one streaming handler of a service implementation. */
export function traceStreaming(kind: StreamingKind, path: string, handler: UntypedHandleCall, errorCodes: ReadonlySet<number>): UntypedHandleCall {
  const { name, attributes } = rpcAttributes(path);
  if (kind === 'client') {
    const inner = handler as unknown as ClientStreamHandler;
    const traced: ClientStreamHandler = (call, callback) => {
      const { span, parent } = startServerRpcSpan(name, attributes, call);
      const events = new MessageEvents(span);
      const { reply, settled, settle } = tracedReply(span, callback, errorCodes, events);
      endOnCancel(call, span, settled, settle);
      countReceived(call, events);
      const fail = (error: unknown): void => {
        recordError(span, error);
        reply({ ...INTERNAL, name: 'Error', message: 'internal error' });
      };
      run(callContext(parent, span, call), () => inner(call, reply), fail);
    };
    return traced as unknown as UntypedHandleCall;
  }
  const inner = handler as unknown as WritingHandler;
  const traced = (call: WritingCall): void => {
    const { span, parent } = startServerRpcSpan(name, attributes, call);
    const events = new MessageEvents(span);
    if (kind === 'server') events.received(); // the one request message, already read
    else countReceived(call as ServerDuplexStream<unknown, unknown>, events);
    countSent(call, events);
    const ended = endWithStreamStatus(call, span, errorCodes);
    const fail = (error: unknown): void => {
      recordError(span, error);
      // grpc-js answers a stream's `error` event with that status and ends the stream.
      if (!call.writableEnded && !ended()) call.emit('error', { ...INTERNAL });
    };
    run(callContext(parent, span, call), () => inner(call), fail);
  };
  return traced as unknown as UntypedHandleCall;
}

/** The span's context, with the call's emitter bound to it so the handler's `data`/`end` listeners run inside it. */
function callContext(parent: Context, span: Span, call: NodeJS.EventEmitter): Context {
  const ctx = trace.setSpan(parent, span);
  context.bind(ctx, call);
  return ctx;
}

function run(ctx: Context, handler: () => unknown, fail: (error: unknown) => void): void {
  context.with(ctx, () => {
    try {
      // Async handlers would otherwise turn a rejection into an unhandled crash.
      const result = handler();
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  });
}

/** Counts each message grpc-js hands to the call (`push`; `null` marks the end of the stream, not a message). */
function countReceived(call: Readable, events: MessageEvents): void {
  const push = call.push.bind(call);
  call.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null) events.received();
    return push(chunk, encoding);
  };
}

/** Counts each message the handler writes to the call. */
function countSent(call: Writable, events: MessageEvents): void {
  const write = call.write.bind(call) as (...args: unknown[]) => boolean;
  call.write = ((...args: unknown[]) => {
    events.sent();
    return write(...args);
  }) as Writable['write'];
}

/**
 * Ends the span once the stream has ended: with the status of an `error` the
 * handler emitted (grpc-js sends that status), OK otherwise, or CANCELLED when
 * the client went away first. Returns whether it has ended.
 */
function endWithStreamStatus(call: Writable, span: Span, errorCodes: ReadonlySet<number>): () => boolean {
  let done = false;
  let status: { code: number; details?: string } = { code: GrpcStatus.OK };
  const end = (): void => {
    if (done) return;
    done = true;
    endWithStatus(span, status.code, status.details, errorCodes.has(status.code));
  };
  call.on('error', (error: unknown) => {
    status = statusOf(error as Parameters<typeof statusOf>[0]);
    if (error instanceof Error && errorCodes.has(status.code)) span.recordException(error);
  });
  call.once('finish', end);
  // A handler that destroys the stream never finishes it.
  call.once('close', end);
  call.once('cancelled', () => {
    if (done) return;
    done = true;
    endWithStatus(span, GrpcStatus.CANCELLED, 'cancelled by client', false);
  });
  return () => done;
}
