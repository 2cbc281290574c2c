import path from 'node:path';
import { type ShopNames, chaosFailCustomer, dataDir, envInt, kafkaBrokers, maxDeliveryAttempts, shopNames } from '@tracewire/service-common';

export interface NotificationsConfig {
  dbFile: string;
  kafkaBrokers: string[];
  names: ShopNames;
  maxAttempts: number;
  /** Fixed pause before a failed record is tried again (NOTIFICATIONS_RETRY_DELAY_MS); unset: 100 ms doubling to 1 s. */
  retryDelayMs: number | undefined;
  failCustomer: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  return {
    dbFile: path.join(dataDir(env), 'notifications.db'),
    kafkaBrokers: kafkaBrokers(env),
    names: shopNames(env),
    maxAttempts: maxDeliveryAttempts(env),
    retryDelayMs: env.NOTIFICATIONS_RETRY_DELAY_MS?.trim() ? envInt('NOTIFICATIONS_RETRY_DELAY_MS', 0, env, 0) : undefined,
    failCustomer: chaosFailCustomer(env),
  };
}
