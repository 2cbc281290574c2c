/**
 * An OTLP endpoint that accepts and discards: OTLP/gRPC on one port and
 * OTLP/HTTP (protobuf and JSON) on another, answering success after counting
 * the spans (no decoding, no storage). Run as a child process
 * (`node --import tsx discard-sink.ts`), it prints
 * `{"grpcPort":..,"httpPort":..}`; `GET /stats` on the HTTP port answers
 * `{requests, bytes, spans, malformed}`. A bench exporting here charges the
 * services only for what they do to export.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { countJsonSpans, countProtobufSpans } from './otlp-count.ts';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const stats = { requests: 0, bytes: 0, spans: 0, malformed: 0 };

function tally(count: () => number, bytes: number): void {
  stats.requests++;
  stats.bytes += bytes;
  try {
    stats.spans += count();
  } catch {
    stats.malformed++;
  }
}

function startGrpc(): Promise<number> {
  const server = new grpc.Server();
  const identity = (b: Buffer): Buffer => b;
  server.addService(
    {
      Export: {
        path: EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        // An empty ExportTraceServiceResponse is zero bytes on the wire.
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: identity,
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        tally(() => countProtobufSpans(call.request), call.request.length);
        cb(null, Buffer.alloc(0));
      },
    },
  );
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
}

function startHttp(): Promise<number> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const json = String(req.headers['content-type'] ?? '').includes('json');
      tally(() => (json ? countJsonSpans(body.toString()) : countProtobufSpans(body)), body.length);
      const answer = () => {
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
      };
      // SINK_DELAY_MS: answer late, as a receiver that commits before it acknowledges (pin-check.ts).
      if (process.env.SINK_DELAY_MS) setTimeout(answer, Number(process.env.SINK_DELAY_MS));
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const [grpcPort, httpPort] = await Promise.all([startGrpc(), startHttp()]);
process.stdout.write(`${JSON.stringify({ grpcPort, httpPort })}\n`);
process.on('SIGTERM', () => process.exit(0));
