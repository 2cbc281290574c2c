/** `tracewire traces [--service S] [--since 15m] [--errors] [--limit N] [--json]` */
import { parseArgs } from 'node:util';
import { UsageError, apiBase, apiGet, duration } from './args.ts';
import { formatDurationNs } from '../trace/index.ts';

export const TRACES_USAGE = `tracewire traces [--service S] [--since 15m] [--errors] [--limit N] [--api URL] [--json]
  lists recent traces, newest first (by trace start); --json prints {total, totalCapped, traces:[...]} as the API gives it
  (totalCapped: more than total traces match; the explorer stops counting at 10,000)`;

interface SearchBody {
  total: number;
  totalCapped?: boolean;
  traces: Array<{ traceId: string; rootService: string; rootName: string; startMs: number; durationMs: number; spanCount: number; errorCount: number; services: Array<{ name: string; spanCount: number }> }>;
  error?: string;
}

export async function tracesCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        service: { type: 'string' },
        since: { type: 'string' },
        errors: { type: 'boolean' },
        limit: { type: 'string' },
        api: { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const q = new URLSearchParams();
  if (values.service) q.set('service', values.service);
  const since = values.since ?? '15m';
  duration('since', since);
  q.set('lookback', since);
  if (values.errors) q.set('status', 'error');
  const limit = values.limit ?? '20';
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) throw new UsageError(`--limit must be 1-1000, got ${JSON.stringify(limit)}`);
  q.set('limit', limit);
  const { status, body } = await apiGet<SearchBody>(`${apiBase(values.api)}/api/tw/search?${q}`);
  if (status !== 200) throw new Error(body.error ?? `the explorer answered ${status}`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ total: body.total, totalCapped: body.totalCapped ?? false, traces: body.traces }, null, 2)}\n`);
    return 0;
  }
  if (!body.traces.length) {
    process.stdout.write(`no traces in the last ${since}${values.service ? ` for ${values.service}` : ''}${values.errors ? ' with errors' : ''}\n`);
    return 0;
  }
  for (const t of body.traces) {
    const when = new Date(t.startMs).toISOString().replace('T', ' ').replace('Z', '');
    const dur = formatDurationNs(t.durationMs * 1e6).padStart(9);
    const err = t.errorCount ? ` ✗${t.errorCount}` : '';
    process.stdout.write(`${when}  ${dur}  ${String(t.spanCount).padStart(5)} spans${err.padEnd(4)}  ${t.traceId}  ${t.rootService}: ${t.rootName}\n`);
  }
  process.stdout.write(`${body.traces.length} of ${body.total}${body.totalCapped ? '+' : ''} traces\n`);
  return 0;
}
