export { ConfigError, amqpUrl, chaosFailCustomer, dataDir, envAddress, envInt, envString, kafkaBrokers, maxDeliveryAttempts, shopNames } from './env.ts';
export type { ShopNames } from './env.ts';
export { backoffMs, createLifecycle, sleep } from './lifecycle.ts';
export type { Lifecycle } from './lifecycle.ts';
export {
  bindServer,
  drainServer,
  grpcError,
  inventoryClient,
  inventoryServiceDefinition,
  isServiceError,
  orderServiceDefinition,
  ordersClient,
} from './protos.ts';
export type {
  CreateOrderRequest,
  GetOrderRequest,
  InventoryClient,
  Order,
  OrdersClient,
  ReleaseReply,
  ReleaseRequest,
  ReserveReply,
  ReserveRequest,
  StockReply,
  StockRequest,
  UnaryCall,
} from './protos.ts';
export { IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENCY_KEY_RULE, isValidIdempotencyKey, parseIdempotencyKeyHeader } from './idempotency-key.ts';
export { DELIVERY_FAILURES_SCHEMA, deliveryFailures } from './delivery-failures.ts';
export type { DeliveryFailures, RecordedFailures } from './delivery-failures.ts';
export { describeSql, openDatabase } from './sqlite.ts';
export type { SqlParams, TracedDb } from './sqlite.ts';
export { createConsumer, createProducer, ensureTopics, partitionForKey } from './kafka.ts';
export type { ShopProducer } from './kafka.ts';
export { connectAmqp, declareShopTopology } from './amqp.ts';
export { OrderCreatedEvent, PoisonMessageError, parseOrderCreated } from './events.ts';
