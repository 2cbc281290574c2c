/**
 * Retention on OpenSearch deletes whole daily indices (deleting an index frees its space at once;
 * delete-by-query would rewrite segments), as Jaeger's es-index-cleaner does.
 */
import type { OpenSearchCalls } from './client.ts';
import type { IndexLayout } from './layout.ts';

export interface StoredDay {
  dayMs: number;
  /** The day's span and service indices. */
  indices: string[];
  /** Their size on disk, primaries and replicas. */
  bytes: number;
}

/** The days the layout's span and service indices hold, oldest first. */
export async function listDays(os: OpenSearchCalls, layout: IndexLayout): Promise<StoredDay[]> {
  const { body } = await os.call<Array<{ index: string; 'store.size'?: string | null }>>(
    'GET',
    `/_cat/indices/${layout.spanPattern},${layout.servicePattern}`,
    undefined,
    { format: 'json', bytes: 'b', h: 'index,store.size', expand_wildcards: 'open' },
  );
  const days = new Map<number, StoredDay>();
  for (const row of body) {
    const dayMs = layout.dayOf(row.index);
    if (dayMs === undefined) continue;
    const d = days.get(dayMs) ?? { dayMs, indices: [], bytes: 0 };
    d.indices.push(row.index);
    d.bytes += Number(row['store.size'] ?? 0) || 0;
    days.set(dayMs, d);
  }
  return [...days.values()].sort((a, b) => a.dayMs - b.dayMs);
}

export async function deleteDays(os: OpenSearchCalls, days: StoredDay[]): Promise<number> {
  for (const d of days) await os.call('DELETE', `/${d.indices.join(',')}`, undefined, { ignore_unavailable: true }, [404]);
  return days.length;
}
