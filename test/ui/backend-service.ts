/**
 * The second process of the UI test ("ui-backend"): an HTTP service that does
 * some nested work, stores a hostile attribute and records an exception. It
 * exports over OTLP/gRPC to the explorer under test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { initTracing, recordError, setHttpRoute, traceHttpServer, withSpan } from '../../packages/tracing/src/index.ts';
import { HOSTILE } from './hostile.ts';

const endpoint = process.env.EXPLORER_GRPC;
if (!endpoint) throw new Error('EXPLORER_GRPC is required');
const tracing = initTracing({ serviceName: 'ui-backend', protocol: 'grpc', endpoint, simpleProcessor: true });

const server = http.createServer(
  traceHttpServer(async (_req, res) => {
    setHttpRoute('/checkout');
    await withSpan('load cart', { attributes: { 'user.comment': HOSTILE, 'cart.items': 3 } }, async () => {
      await withSpan('query cart items', { attributes: { 'db.system': 'sqlite' } }, () => new Promise((r) => setTimeout(r, 15)));
    });
    await withSpan('charge card', async (span) => {
      await new Promise((r) => setTimeout(r, 10));
      recordError(span, new Error('card declined by issuer'));
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }),
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
