/**
 * Structured JSON log lines that carry `trace_id` and `span_id` of the active
 * span, so a log line leads to its trace and back.
 */
import { currentIds } from './span.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : typeof v === 'bigint' ? String(v) : v;
  }
  return out;
}

/**
 * @example
 * const log = createLogger('orders');
 * log.info('order created', { order_id: id }); // {"ts":…,"level":"info","service":"orders","msg":…,"trace_id":…,"span_id":…}
 */
export function createLogger(
  service: string,
  options: { level?: LogLevel; write?: (line: string) => void } = {},
): Logger {
  const min = ORDER[options.level ?? ((process.env.LOG_LEVEL as LogLevel | undefined) || 'info')] ?? ORDER.info;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (ORDER[level] < min) return;
      write(JSON.stringify({ ts: new Date().toISOString(), level, service, msg, ...currentIds(), ...serializable(fields) }));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
