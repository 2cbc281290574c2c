/** `tracewire trace <traceId> [--api URL] [--json]` */
import { parseArgs } from 'node:util';
import type { TraceView } from '../api-types.ts';
import { UsageError, apiBase, apiGet } from './args.ts';
import { renderWaterfall } from './waterfall.ts';

export const TRACE_USAGE = `tracewire trace <traceId> [--api URL] [--json]
  prints the trace as a tree with time bars (█ = critical path), durations and status;
  --json prints the API's trace document (/api/tw/traces/{id}) unchanged`;

export async function traceCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { api: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [id, ...extra] = parsed.positionals;
  if (!id || extra.length) throw new UsageError('give exactly one trace id');
  if (!/^[0-9a-fA-F]{1,32}$/.test(id)) throw new UsageError(`trace id must be up to 32 hex digits, got ${JSON.stringify(id)}`);
  const base = apiBase(parsed.values.api);
  const { status, body } = await apiGet<TraceView & { error?: string }>(`${base}/api/tw/traces/${id}`);
  if (status === 404) {
    process.stderr.write(`tracewire: trace ${id} not found\n`);
    return 1;
  }
  if (status !== 200) throw new Error(body.error ?? `the explorer answered ${status}`);
  process.stdout.write(parsed.values.json ? `${JSON.stringify(body, null, 2)}\n` : `${renderWaterfall(body, { color: process.stdout.isTTY === true })}\n`);
  return 0;
}
