/**
 * What an OTLP exporter does on the wire, for the load senders of the ingest
 * and fill benches (run in worker threads): one pre-encoded export request
 * over gRPC or HTTP/protobuf, answered 'ok', 'refused' (429 / 503 /
 * UNAVAILABLE / RESOURCE_EXHAUSTED: retryable, per the OTLP spec's
 * "Failures" section) or 'failed' (anything else, first error kept).
 */
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';

export type Protocol = 'grpc' | 'http/protobuf';
export type Outcome = 'ok' | 'refused' | 'failed';

export interface OtlpSender {
  send(body: Buffer): Promise<Outcome>;
  close(): void;
  /** The first non-retryable error, if any. */
  firstError(): string | undefined;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** `inflight`: the HTTP agent's socket count (requests the caller keeps outstanding). */
export function makeSender(protocol: Protocol, host: string, port: number, inflight: number): OtlpSender {
  let first: string | undefined;
  const noteError = (e: string): void => {
    first ??= e;
  };
  if (protocol === 'grpc') {
    const client = new grpc.Client(`${host}:${port}`, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 2 ** 20,
    });
    const id = (b: Buffer): Buffer => b;
    return {
      send: (body) =>
        new Promise((resolve) => {
          client.makeUnaryRequest(EXPORT_PATH, id, id, body, (err) => {
            if (!err) return resolve('ok');
            if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.RESOURCE_EXHAUSTED) return resolve('refused');
            noteError(`grpc ${err.code}: ${err.details}`);
            resolve('failed');
          });
        }),
      close: () => client.close(),
      firstError: () => first,
    };
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: inflight });
  return {
    send: (body) =>
      new Promise((resolve) => {
        const req = http.request(
          { host, port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === 200) return resolve('ok');
              if (res.statusCode === 429 || res.statusCode === 503) return resolve('refused');
              noteError(`http ${res.statusCode}`);
              resolve('failed');
            });
          },
        );
        req.on('error', (e) => {
          noteError(e.message);
          resolve('failed');
        });
        req.end(body);
      }),
    close: () => agent.destroy(),
    firstError: () => first,
  };
}
