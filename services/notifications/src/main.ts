/** notifications: Kafka consumer group on order-events; simulated email and SMS. Wiring only. */
import { createLogger, initTracing } from '@tracewire/tracing';
import { createLifecycle } from '@tracewire/service-common';
import { loadConfig } from './config.ts';
import { NotificationsConsumer } from './consumer.ts';
import { orderCreatedHandler } from './handlers/order-created.ts';
import { openNotificationsStore } from './store.ts';

const tracing = initTracing({ serviceName: 'notifications', serviceVersion: '0.1.0' });
const log = createLogger('notifications');
const lifecycle = createLifecycle('notifications', log, tracing);

const config = loadConfig();
const store = openNotificationsStore(config.dbFile);
const consumer = new NotificationsConsumer({
  brokers: config.kafkaBrokers,
  names: config.names,
  maxAttempts: config.maxAttempts,
  retryDelayMs: config.retryDelayMs,
  failures: store,
  handler: orderCreatedHandler(store, log, config.failCustomer),
  log,
});
let announced = false;
consumer.start(() => {
  if (announced) return;
  announced = true;
  lifecycle.ready({ topic: config.names.topic, group: config.names.notificationsGroup });
});

lifecycle.onShutdown('kafka consumer', () => consumer.stop());
lifecycle.onShutdown('store', () => store.close());
