import path from 'node:path';
import { type ShopNames, amqpUrl, dataDir, envAddress, envInt, envString, kafkaBrokers, shopNames } from '@tracewire/service-common';

export interface OrdersConfig {
  host: string;
  port: number;
  inventoryTarget: string;
  dbFile: string;
  kafkaBrokers: string[];
  amqpUrl: string;
  names: ShopNames;
  /** Deadline used when the caller sent none (ms). */
  defaultBudgetMs: number;
  /** Relay poll interval when nothing woke it (ms). */
  relayPollMs: number;
  /** Release retrier poll interval when nothing woke it (ms). */
  releaseRetryPollMs: number;
  /** Fault injection: this customer's order transaction fails after Reserve (CHAOS_FAIL_COMMIT_CUSTOMER). */
  failCommitFor: string | undefined;
  /** Fault injection: this customer's new orders are answered after the caller's deadline (CHAOS_SLOW_REPLY_CUSTOMER). */
  slowReplyFor: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrdersConfig {
  const { host, port } = envAddress('ORDERS_ADDR', '127.0.0.1:50051', env);
  return {
    host,
    port,
    inventoryTarget: envString('INVENTORY_ADDR', '127.0.0.1:50052', env),
    dbFile: path.join(dataDir(env), 'orders.db'),
    kafkaBrokers: kafkaBrokers(env),
    amqpUrl: amqpUrl(env),
    names: shopNames(env),
    defaultBudgetMs: envInt('ORDERS_DEFAULT_BUDGET_MS', 5_000, env, 1),
    relayPollMs: envInt('OUTBOX_POLL_MS', 500, env, 10),
    releaseRetryPollMs: envInt('RELEASE_RETRY_POLL_MS', 1_000, env, 10),
    failCommitFor: env.CHAOS_FAIL_COMMIT_CUSTOMER?.trim() || undefined,
    slowReplyFor: env.CHAOS_SLOW_REPLY_CUSTOMER?.trim() || undefined,
  };
}
