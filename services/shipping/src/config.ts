import path from 'node:path';
import { type ShopNames, amqpUrl, chaosFailCustomer, dataDir, envInt, maxDeliveryAttempts, shopNames } from '@tracewire/service-common';

export interface ShippingConfig {
  dbFile: string;
  amqpUrl: string;
  names: ShopNames;
  maxAttempts: number;
  prefetch: number;
  /** Pause before a failed delivery is requeued (SHIPPING_RETRY_DELAY_MS, default 0). */
  retryDelayMs: number;
  failCustomer: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ShippingConfig {
  return {
    dbFile: path.join(dataDir(env), 'shipping.db'),
    amqpUrl: amqpUrl(env),
    names: shopNames(env),
    maxAttempts: maxDeliveryAttempts(env),
    prefetch: envInt('SHIPPING_PREFETCH', 16, env, 1),
    retryDelayMs: envInt('SHIPPING_RETRY_DELAY_MS', 0, env, 0),
    failCustomer: chaosFailCustomer(env),
  };
}
