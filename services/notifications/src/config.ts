import path from 'node:path';
import { type ShopNames, chaosFailCustomer, dataDir, kafkaBrokers, maxDeliveryAttempts, shopNames } from '@tracewire/service-common';

export interface NotificationsConfig {
  dbFile: string;
  kafkaBrokers: string[];
  names: ShopNames;
  maxAttempts: number;
  failCustomer: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  return {
    dbFile: path.join(dataDir(env), 'notifications.db'),
    kafkaBrokers: kafkaBrokers(env),
    names: shopNames(env),
    maxAttempts: maxDeliveryAttempts(env),
    failCustomer: chaosFailCustomer(env),
  };
}
