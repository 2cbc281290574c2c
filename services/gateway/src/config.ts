import { envAddress, envInt, envString } from '@tracewire/service-common';

export interface GatewayConfig {
  host: string;
  port: number;
  ordersTarget: string;
  /** Time a request may take end to end when the caller sets none (ms). */
  budgetMs: number;
  maxBodyBytes: number;
}

const hostPort = ({ host, port }: { host: string; port: number }): string => `${host}:${port}`;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const host = envString('GATEWAY_HOST', '127.0.0.1', env);
  const port = envInt('GATEWAY_PORT', 8080, env);
  return {
    host,
    port,
    ordersTarget: hostPort(envAddress('ORDERS_ADDR', '127.0.0.1:50051', env)),
    budgetMs: envInt('GATEWAY_BUDGET_MS', 5_000, env, 1),
    maxBodyBytes: envInt('GATEWAY_MAX_BODY_BYTES', 64 * 1024, env, 1),
  };
}
