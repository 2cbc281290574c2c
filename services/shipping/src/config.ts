import path from 'node:path';
import { type ShopNames, amqpUrl, chaosFailCustomer, dataDir, envInt, maxDeliveryAttempts, shopNames } from '@tracewire/service-common';

export interface ShippingConfig {
  dbFile: string;
  amqpUrl: string;
  names: ShopNames;
  maxAttempts: number;
  prefetch: number;
  failCustomer: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ShippingConfig {
  return {
    dbFile: path.join(dataDir(env), 'shipping.db'),
    amqpUrl: amqpUrl(env),
    names: shopNames(env),
    maxAttempts: maxDeliveryAttempts(env),
    prefetch: envInt('SHIPPING_PREFETCH', 16, env, 1),
    failCustomer: chaosFailCustomer(env),
  };
}
