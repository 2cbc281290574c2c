import path from 'node:path';
import { dataDir, envAddress } from '@tracewire/service-common';

export interface InventoryConfig {
  host: string;
  port: number;
  dbFile: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  const { host, port } = envAddress('INVENTORY_ADDR', '127.0.0.1:50052', env);
  return { host, port, dbFile: path.join(dataDir(env), 'inventory.db') };
}
