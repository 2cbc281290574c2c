/**
 * Which traces a frozen segment may hold, as a Bloom filter over their 32-bit
 * trace hashes (span-facts.ts traceHash). Every trace new to the store was
 * looked up in every segment's id map before it went to the newest; with 40
 * segments at 10M spans that was 40 hash-map probes per new trace, most of
 * them cache misses. Two bit tests answer "surely not here" for ~99% of them.
 */

/** Bits per trace: with two probes, ~1.4% of absent traces pass (and are then looked up). */
const BITS_PER_TRACE = 16;

export class TraceFilter {
  private constructor(
    private readonly bits: Uint32Array,
    private readonly mask: number,
  ) {}

  static of(hashes: readonly number[]): TraceFilter {
    // A power of two, so a probe is a mask; at least one 32-bit word.
    let size = 32;
    while (size < hashes.length * BITS_PER_TRACE && size < 2 ** 30) size *= 2;
    const filter = new TraceFilter(new Uint32Array(size / 32), size - 1);
    for (const h of hashes) filter.add(h);
    return filter;
  }

  add(hash: number): void {
    const a = hash & this.mask;
    const b = second(hash) & this.mask;
    this.bits[a >>> 5] = (this.bits[a >>> 5] as number) | (1 << (a & 31));
    this.bits[b >>> 5] = (this.bits[b >>> 5] as number) | (1 << (b & 31));
  }

  /** False: the trace is not in the set. True: it may be. */
  mayHold(hash: number): boolean {
    const a = hash & this.mask;
    if (((this.bits[a >>> 5] as number) & (1 << (a & 31))) === 0) return false;
    const b = second(hash) & this.mask;
    return ((this.bits[b >>> 5] as number) & (1 << (b & 31))) !== 0;
  }
}

/** A second probe from the same hash: a multiply and a shift mix its bits into other positions. */
const second = (hash: number): number => Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> 7;
