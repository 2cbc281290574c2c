/**
 * Settings from the environment, validated once at start-up so a typo fails
 * loudly with the variable's name instead of misbehaving later.
 */
import path from 'node:path';

/** Thrown at start-up for a bad setting; `variable` names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export function envString(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

export function envInt(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env, min = 0): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(name, `expected an integer >= ${min}, got "${raw}"`);
  return value;
}

/** `host:port` → parts; port 0 asks the OS for a free port (tests). */
export function envAddress(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  const raw = envString(name, fallback, env);
  const match = /^(.+):(\d+)$/.exec(raw);
  if (!match) throw new ConfigError(name, `expected host:port, got "${raw}"`);
  return { host: match[1] as string, port: Number(match[2]) };
}

/** Where the services keep their SQLite files (DATA_DIR, default ./.tracewire/shop). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(envString('DATA_DIR', '.tracewire/shop', env));
}

/**
 * Broker object names. Prefixes let tests (and a demo running beside them)
 * use their own topics, queues and groups on the shared brokers.
 */
export interface ShopNames {
  topic: string;
  deadLetterTopic: string;
  notificationsGroup: string;
  exchange: string;
  routingKey: string;
  shippingQueue: string;
  deadLetterExchange: string;
  shippingDeadLetterQueue: string;
}

export function shopNames(env: NodeJS.ProcessEnv = process.env): ShopNames {
  const t = envString('TOPIC_PREFIX', '', env);
  const q = envString('QUEUE_PREFIX', '', env);
  const topic = `${t}order-events`;
  return {
    topic,
    deadLetterTopic: `${topic}.dlq`,
    notificationsGroup: `${t}notifications`,
    exchange: `${q}orders`,
    routingKey: 'order.created',
    shippingQueue: `${q}shipping.orders`,
    deadLetterExchange: `${q}orders.dlx`,
    shippingDeadLetterQueue: `${q}shipping.orders.dlq`,
  };
}

export function kafkaBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  return envString('KAFKA_BROKERS', '127.0.0.1:9092', env)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

export function amqpUrl(env: NodeJS.ProcessEnv = process.env): string {
  return envString('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672', env);
}

/** Failed deliveries before a message is dead-lettered (MAX_DELIVERY_ATTEMPTS, default 3). */
export function maxDeliveryAttempts(env: NodeJS.ProcessEnv = process.env): number {
  return envInt('MAX_DELIVERY_ATTEMPTS', 3, env, 1);
}

/**
 * Demo and test knob: orders of this customer fail in the consumers'
 * simulated delivery (email provider, carrier) every time, to show retries
 * and dead-lettering. Unset in normal runs.
 */
export function chaosFailCustomer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.CHAOS_FAIL_CUSTOMER?.trim() || undefined;
}
