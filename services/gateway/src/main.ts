/** gateway: the shop's HTTP front door; calls orders over gRPC. Wiring only. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, initTracing, traceHttpServer } from '@tracewire/tracing';
import { createLifecycle, ordersClient } from '@tracewire/service-common';
import { loadConfig } from './config.ts';
import { orderHandlers } from './handlers/orders.ts';
import { createRouter } from './router.ts';

const tracing = initTracing({ serviceName: 'gateway', serviceVersion: '0.1.0' });
const log = createLogger('gateway');
const lifecycle = createLifecycle('gateway', log, tracing);

const config = loadConfig();
const orders = ordersClient(config.ordersTarget);
let ready = false;
const router = createRouter({
  handlers: orderHandlers({ orders, maxBodyBytes: config.maxBodyBytes }),
  budgetMs: config.budgetMs,
  isReady: () => ready,
  log,
});
const server = http.createServer(traceHttpServer(router, { ignore: (req) => req.url === '/healthz' }));
server.keepAliveTimeout = 5_000;
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port, config.host, resolve);
});
const { port } = server.address() as AddressInfo;

lifecycle.onShutdown('http server', async () => {
  ready = false;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
});
lifecycle.onShutdown('orders client', () => orders.close());
ready = true;
lifecycle.ready({ address: `${config.host}:${port}`, url: `http://${config.host}:${port}` });
