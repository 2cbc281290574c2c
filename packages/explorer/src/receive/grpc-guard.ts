/**
 * A grpc-js server interceptor that guards each OTLP/gRPC call before and
 * while its message arrives (grpc-js buffers a whole message, up to the body
 * limit, before a handler sees it):
 *
 * - the bearer token is checked on the metadata, so an unauthenticated call is
 *   answered UNAUTHENTICATED before any of its body is read;
 * - the bytes received are held in the receivers' shared in-flight budget frame
 *   by frame; past it the call is answered UNAVAILABLE (retryable) at once;
 * - a call whose message has not arrived within the request timeout is answered
 *   DEADLINE_EXCEEDED (retryable), so a slow sender cannot hold memory for long.
 *
 * grpc-js exposes no per-frame hook: the first interceptor receives its base
 * call, whose `stream` is the HTTP/2 stream (grpc-js 1.14, server-interceptors.ts).
 * Should that change, bytes are counted when the whole message has arrived.
 */
import { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { Auth } from '../security/auth.ts';
import type { InflightBytes } from './inflight.ts';

export interface GuardOptions {
  auth?: Auth;
  inflight: InflightBytes;
  receiveTimeoutMs: number;
}

function http2StreamOf(call: grpc.ServerInterceptingCallInterface): Duplex | undefined {
  const stream = (call as unknown as { stream?: unknown }).stream;
  return stream instanceof Duplex ? stream : undefined;
}

export function guardInterceptor(opts: GuardOptions): grpc.ServerInterceptor {
  return (_method, call) => {
    const lease = opts.inflight.lease();
    const stream = http2StreamOf(call);
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const onData = (chunk: Buffer) => {
      if (!lease.take(chunk.length)) refuse(grpc.status.UNAVAILABLE, `the receivers hold ${opts.inflight.max} bytes of requests already; retry later`);
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stream?.off('data', onData);
      lease.release();
    };
    const refuse = (code: grpc.status, details: string) => {
      finish();
      call.sendStatus({ code, details });
    };
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            if (opts.auth?.enabled) {
              const header = metadata.get('authorization').find((v): v is string => typeof v === 'string');
              if (!opts.auth.checkAuthorization(header)) return refuse(grpc.status.UNAUTHENTICATED, 'unauthorized: send metadata authorization: Bearer <token>');
            }
            stream?.on('data', onData);
            timer = setTimeout(() => refuse(grpc.status.DEADLINE_EXCEEDED, `the request was not received within ${opts.receiveTimeoutMs} ms`), opts.receiveTimeoutMs);
            timer.unref();
            nextMetadata(metadata);
          },
          onReceiveMessage(message: Buffer, nextMessage) {
            clearTimeout(timer);
            stream?.off('data', onData);
            // From here the (decompressed) message is what is held, not its frames.
            if (!lease.resize(message.length)) return refuse(grpc.status.UNAVAILABLE, `the receivers hold ${opts.inflight.max} bytes of requests already; retry later`);
            nextMessage(message);
          },
          onCancel: finish,
        });
      },
      sendStatus(status, next) {
        finish();
        next(status);
      },
    });
  };
}
