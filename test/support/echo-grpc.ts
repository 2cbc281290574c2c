/** A tiny traced gRPC Echo service on a real socket, for propagation tests. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { context, propagation } from '@opentelemetry/api';
import { grpcClientInterceptor, traceGrpcService } from '../../packages/tracing/src/grpc.ts';

const PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/echo.proto');

export interface SayRequest {
  text: string;
  outcome: string;
}
export interface SayReply {
  text: string;
  tenant: string;
}

type EchoClient = grpc.Client & {
  say(req: SayRequest, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply?: SayReply) => void): void;
};

function loadEcho(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(PROTO, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { tracewire: { test: { Echo: grpc.ServiceClientConstructor } } };
  return pkg.tracewire.test.Echo;
}

/** Starts the Echo server; `onSay` runs inside the SERVER span (to chain further calls). */
export async function startEchoServer(
  onSay: (req: SayRequest) => Promise<void> | void = () => {},
): Promise<{ target: string; close(): Promise<void> }> {
  const Echo = loadEcho();
  const server = new grpc.Server();
  server.addService(
    Echo.service,
    traceGrpcService(Echo.service, {
      say: async (call: grpc.ServerUnaryCall<SayRequest, SayReply>, callback: grpc.sendUnaryData<SayReply>) => {
        const { text, outcome } = call.request;
        if (outcome === 'throw') throw new Error('handler threw');
        if (outcome === 'reject') return Promise.reject(new Error('handler rejected'));
        if (outcome === 'not_found') return callback({ code: grpc.status.NOT_FOUND, details: 'no such thing', name: 'Error', message: 'no such thing' });
        if (outcome === 'internal') return callback({ code: grpc.status.INTERNAL, details: 'database gone', name: 'Error', message: 'database gone' });
        await onSay(call.request);
        const tenant = propagation.getBaggage(context.active())?.getEntry('tenant')?.value ?? '';
        callback(null, { text, tenant });
      },
    }),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    target: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

export function echoClient(target: string, traced = true) {
  const Echo = loadEcho();
  const client = new Echo(target, grpc.credentials.createInsecure(), {
    interceptors: traced ? [grpcClientInterceptor({ target })] : [],
  }) as unknown as EchoClient;
  return {
    say(req: SayRequest, metadata = new grpc.Metadata(), deadlineMs = 5000): Promise<SayReply> {
      return new Promise((resolve, reject) =>
        client.say(req, metadata, { deadline: Date.now() + deadlineMs }, (err, reply) => (err ? reject(err) : resolve(reply as SayReply))),
      );
    },
    close: () => client.close(),
  };
}
