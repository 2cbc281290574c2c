/** orders: gRPC service, SQLite store with transactional outbox, relays to Kafka and RabbitMQ, release retrier. Wiring only. */
import { initTracing, createLogger } from '@tracewire/tracing';
import { traceGrpcService } from '@tracewire/tracing/grpc';
import { Server } from '@grpc/grpc-js';
import { bindServer, createLifecycle, drainServer, inventoryClient, orderServiceDefinition } from '@tracewire/service-common';
import { loadConfig } from './config.ts';
import { orderHandlers } from './handlers/orders.ts';
import { amqpPublisher, kafkaPublisher } from './outbox/publishers.ts';
import { OutboxRelay } from './outbox/relay.ts';
import { ReleaseRetrier } from './release-retrier.ts';
import { openOrdersStore } from './store.ts';

const tracing = initTracing({ serviceName: 'orders', serviceVersion: '0.1.0' });
const log = createLogger('orders');
const lifecycle = createLifecycle('orders', log, tracing);

const config = loadConfig();
const store = openOrdersStore(config.dbFile, { failCommitFor: config.failCommitFor });
const inventory = inventoryClient(config.inventoryTarget);
const kafka = kafkaPublisher(config.kafkaBrokers, config.names, log);
const rabbit = amqpPublisher(config.amqpUrl, config.names, log);
const relays = [
  new OutboxRelay('kafka', store, (row) => kafka.publish(row), log, { pollMs: config.relayPollMs, concurrency: 100 }),
  new OutboxRelay('rabbitmq', store, (row) => rabbit.publish(row), log, { pollMs: config.relayPollMs, concurrency: 32 }),
];
const retrier = new ReleaseRetrier(
  store,
  async (row) => void (await inventory.release({ order_id: row.order_id }, Date.now() + config.defaultBudgetMs)),
  log,
  { pollMs: config.releaseRetryPollMs },
);

const server = new Server();
const definition = orderServiceDefinition();
const handlers = orderHandlers({
  store,
  inventory,
  log,
  budgetMs: config.defaultBudgetMs,
  onCommitted: () => relays.forEach((r) => r.wake()),
  onReleaseDeferred: () => retrier.wake(),
  slowReplyFor: config.slowReplyFor,
});
server.addService(definition, traceGrpcService(definition, handlers));
const address = await bindServer(server, config.host, config.port);
relays.forEach((r) => r.start());
// Also picks up rows left by a previous run.
retrier.start();

lifecycle.onShutdown('grpc server', () => drainServer(server));
lifecycle.onShutdown('outbox relays', () => Promise.all(relays.map((r) => r.stop())).then(() => undefined));
lifecycle.onShutdown('release retrier', () => retrier.stop());
lifecycle.onShutdown('publishers', () => Promise.all([kafka.close(), rabbit.close()]).then(() => undefined));
lifecycle.onShutdown('inventory client', () => inventory.close());
lifecycle.onShutdown('store', () => store.close());
lifecycle.ready({ address });
