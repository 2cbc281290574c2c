/** shipping: RabbitMQ consumer of shipping.orders; stores one shipment per order. Wiring only. */
import { createLogger, initTracing } from '@tracewire/tracing';
import { createLifecycle } from '@tracewire/service-common';
import { loadConfig } from './config.ts';
import { ShippingConsumer } from './consumer.ts';
import { orderCreatedHandler } from './handlers/order-created.ts';
import { openShippingStore } from './store.ts';

const tracing = initTracing({ serviceName: 'shipping', serviceVersion: '0.1.0' });
const log = createLogger('shipping');
const lifecycle = createLifecycle('shipping', log, tracing);

const config = loadConfig();
const store = openShippingStore(config.dbFile);
const consumer = new ShippingConsumer({
  url: config.amqpUrl,
  names: config.names,
  maxAttempts: config.maxAttempts,
  prefetch: config.prefetch,
  retryDelayMs: config.retryDelayMs,
  failures: store,
  handler: orderCreatedHandler(store, log, config.failCustomer),
  log,
});
await consumer.start();

lifecycle.onShutdown('rabbitmq consumer', () => consumer.stop());
lifecycle.onShutdown('store', () => store.close());
lifecycle.ready({ queue: config.names.shippingQueue });
