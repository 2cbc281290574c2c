import path from 'node:path';
import { dataDir, envAddress, envInt } from '@tracewire/service-common';

export interface InventoryConfig {
  host: string;
  port: number;
  dbFile: string;
  /** Fault injection for tests and demos: every call waits this long first (default 0). */
  delayMs: number;
  /** Fault injection (CHAOS_FAIL_RELEASE_TIMES): the first N Release calls fail with UNAVAILABLE (default 0). */
  failReleaseTimes: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  const { host, port } = envAddress('INVENTORY_ADDR', '127.0.0.1:50052', env);
  return {
    host,
    port,
    dbFile: path.join(dataDir(env), 'inventory.db'),
    delayMs: envInt('INVENTORY_DELAY_MS', 0, env, 0),
    failReleaseTimes: envInt('CHAOS_FAIL_RELEASE_TIMES', 0, env, 0),
  };
}
