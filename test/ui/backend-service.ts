/**
 * The second process of the UI test ("ui-backend"): an HTTP service that does
 * some nested work, stores a hostile attribute and records an exception. It
 * exports over OTLP/gRPC to the explorer under test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { extract, initTracing, recordError, setHttpRoute, traceHttpServer, withSpan } from '../../packages/tracing/src/index.ts';
import { HOSTILE } from './hostile.ts';

const endpoint = process.env.EXPLORER_GRPC;
if (!endpoint) throw new Error('EXPLORER_GRPC is required');
const tracing = initTracing({ serviceName: 'ui-backend', protocol: 'grpc', endpoint, simpleProcessor: true });

/**
 * POST /consume stands in for a message broker: the body is the message
 * headers the producer injected, and the CONSUMER span continues that context
 * (so the test gets a producer -> consumer hop without a broker).
 */
async function consume(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  const headers = JSON.parse(body) as Record<string, string>;
  await withSpan(
    'process order-events',
    {
      kind: SpanKind.CONSUMER,
      parent: extract(headers),
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'messaging.destination.name': 'order-events' },
    },
    () => new Promise((r) => setTimeout(r, 5)),
  );
  res.writeHead(202).end();
}

const server = http.createServer(
  traceHttpServer(async (req, res) => {
    if (req.url === '/consume') return consume(req, res);
    setHttpRoute('/checkout');
    await withSpan('load cart', { attributes: { 'user.comment': HOSTILE, 'cart.items': 3 } }, async () => {
      await withSpan('query cart items', { attributes: { 'db.system': 'sqlite' } }, () => new Promise((r) => setTimeout(r, 15)));
    });
    await withSpan('charge card', async (span) => {
      await new Promise((r) => setTimeout(r, 10));
      recordError(span, new Error('card declined by issuer'));
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }, { ignore: (req) => req.url === '/consume' }),
);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

const stop = async (): Promise<void> => {
  server.close();
  await tracing.shutdown();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
process.stdout.write(`${JSON.stringify({ ready: true, port: (server.address() as AddressInfo).port })}\n`);
