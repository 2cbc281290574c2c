/**
 * Service maps remembered for a few seconds. Building one reads and inflates
 * up to 5,000 traces (about 1 s at 10M stored spans, docs/performance.md
 * section 4), so a page that refreshes, or several people looking at once,
 * would each pay that; within `ttlMs` they share one computation, including
 * while it is still running. Why a cache and not edges stored at write time:
 * docs/design.md, "Service map".
 *
 * A window that ends now ("the last hour") is keyed by its length alone, so
 * an answer is up to `ttlMs` older than the request; a window with an explicit
 * end is keyed by both ends.
 *
 * @example
 * const maps = new ServiceMapCache((since, until) => store.recentTraces(since, until, 5000).then(buildServiceMap), 5000);
 * const map = await maps.get({ lookbackNs: 3_600_000_000_000n });
 */
import type { ServiceMap } from '../api-types.ts';

export interface MapWindow {
  lookbackNs: bigint;
  /** Explicit end, ns since epoch; absent = now. */
  endNs?: bigint;
}

interface Entry {
  expires: number;
  map: Promise<ServiceMap>;
}

/** Distinct windows kept at most (each UI lookback choice is one). */
const MAX_ENTRIES = 32;

export class ServiceMapCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly compute: (sinceNs: bigint, untilNs: bigint) => Promise<ServiceMap>,
    private readonly ttlMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(w: MapWindow): Promise<ServiceMap> {
    const now = this.nowMs();
    const until = w.endNs ?? BigInt(now) * 1_000_000n;
    const since = until - w.lookbackNs;
    if (this.ttlMs <= 0) return this.compute(since, until);
    const key = w.endNs === undefined ? `last ${w.lookbackNs}` : `${since}..${until}`;
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.map;

    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    const map = this.compute(since, until);
    const entry: Entry = { expires: now + this.ttlMs, map };
    this.entries.set(key, entry);
    // A failed build is not remembered: the next request tries again.
    map.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return map;
  }
}
