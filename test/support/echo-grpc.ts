/** A tiny traced gRPC Echo service on a real socket, for propagation tests. */
import path from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { context, propagation } from '@opentelemetry/api';
import { grpcClientInterceptor, traceGrpcService } from '../../packages/tracing/src/grpc.ts';
import { withSpan } from '../../packages/tracing/src/index.ts';

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
  split(req: SayRequest, md: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientReadableStream<SayReply>;
  collect(md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply?: SayReply) => void): grpc.ClientWritableStream<SayRequest>;
  chat(md: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientDuplexStream<SayRequest, SayReply>;
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
        callback(null, { text, tenant: tenant() });
      },
      ...streamingHandlers,
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

const tenant = (): string => propagation.getBaggage(context.active())?.getEntry('tenant')?.value ?? '';
const INTERNAL = { code: grpc.status.INTERNAL, details: 'database gone' };

/**
 * The streaming methods. `outcome` on a request: "internal" fails the stream
 * with INTERNAL after what was sent so far, "not_found" with NOT_FOUND, "throw"
 * throws from the handler, "hold" keeps a Chat open after the client's last
 * message; Chat opens a `handle-message` span per message.
 */
const streamingHandlers = {
  split: (call: grpc.ServerWritableStream<SayRequest, SayReply>) => {
    const { text, outcome } = call.request;
    if (outcome === 'throw') throw new Error('handler threw');
    for (const word of text.split(' ')) call.write({ text: word, tenant: tenant() });
    if (outcome === 'internal') call.emit('error', INTERNAL);
    else call.end();
  },
  collect: (call: grpc.ServerReadableStream<SayRequest, SayReply>, callback: grpc.sendUnaryData<SayReply>) => {
    const texts: string[] = [];
    let outcome = 'ok';
    call.on('data', (req: SayRequest) => {
      texts.push(req.text);
      if (req.outcome !== 'ok') outcome = req.outcome;
    });
    call.on('end', () => {
      if (outcome === 'not_found') return callback({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
      if (outcome === 'internal') return callback(INTERNAL);
      callback(null, { text: texts.join(' '), tenant: tenant() });
    });
  },
  chat: (call: grpc.ServerDuplexStream<SayRequest, SayReply>) => {
    let holding = false;
    call.on('data', (req: SayRequest) => {
      if (req.outcome === 'internal') return call.emit('error', INTERNAL);
      if (req.outcome === 'hold') holding = true;
      withSpan('handle-message', () => call.write({ text: req.text, tenant: tenant() }));
    });
    // "hold": the server keeps streaming after the client stops sending (until cancelled).
    call.on('end', () => holding || call.end());
  },
};

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
    /** Server-streaming: every reply, or the stream's error. */
    split(req: SayRequest, deadlineMs = 5000): Promise<SayReply[]> {
      return collectReplies(client.split(req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }));
    },
    /** Client-streaming: writes every request, then ends. */
    collect(reqs: SayRequest[], deadlineMs = 5000): Promise<SayReply> {
      return new Promise((resolve, reject) => {
        const call = client.collect(new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, reply) =>
          err ? reject(err) : resolve(reply as SayReply),
        );
        for (const req of reqs) call.write(req);
        call.end();
      });
    },
    /** Bidi: the raw call, for tests that interleave writes and reads or cancel. */
    chat(deadlineMs = 5000): grpc.ClientDuplexStream<SayRequest, SayReply> {
      return client.chat(new grpc.Metadata(), { deadline: Date.now() + deadlineMs });
    },
    close: () => client.close(),
  };
}

/** Every message of a response stream, or its error. */
export function collectReplies(stream: grpc.ClientReadableStream<SayReply> | grpc.ClientDuplexStream<SayRequest, SayReply>): Promise<SayReply[]> {
  return new Promise((resolve, reject) => {
    const replies: SayReply[] = [];
    stream.on('data', (reply: SayReply) => replies.push(reply));
    stream.once('error', reject);
    stream.once('end', () => resolve(replies));
  });
}

/**
 * The file's Echo server and traced client, started before its tests and closed after them
 * (the tracing too), with the recorded spans cleared before each test.
 */
export function useEchoServer(tracing: { reset(): void; shutdown(): Promise<void> }): {
  server: Awaited<ReturnType<typeof startEchoServer>>;
  client: ReturnType<typeof echoClient>;
} {
  const echo = {} as ReturnType<typeof useEchoServer>;
  before(async () => {
    echo.server = await startEchoServer();
    echo.client = echoClient(echo.server.target);
  });
  after(async () => {
    echo.client.close();
    await echo.server.close();
    await tracing.shutdown();
  });
  beforeEach(() => tracing.reset());
  return echo;
}
