/** Demo options: `--orders N --rate R --exit --no-explorer`. */
import { parseArgs } from 'node:util';

export interface DemoOptions {
  orders: number;
  rate: number;
  exit: boolean;
  explorer: boolean;
}

export const USAGE = `npm run demo -- [--orders N] [--rate R] [--exit] [--no-explorer]
  --orders N      orders to send (default 20)
  --rate R        orders per second (default 5)
  --exit          stop everything after printing the trace (non-interactive)
  --no-explorer   do not start the standalone explorer (ports 16686, 4317); keep spans in a
                  private explorer inside the demo (free ports, temporary data)`;

function positive(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} must be a positive number, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}

export function parseDemoArgs(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      orders: { type: 'string' },
      rate: { type: 'string' },
      exit: { type: 'boolean' },
      'no-explorer': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    orders: Math.floor(positive('orders', values.orders, 20)),
    rate: positive('rate', values.rate, 5),
    exit: values.exit ?? false,
    explorer: !values['no-explorer'],
  };
}
