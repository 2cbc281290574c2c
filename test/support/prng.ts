/** A seeded PRNG, so fuzz cases and bench queries repeat exactly from their seed. */
export type Rng = () => number;

/** mulberry32: a small, well-distributed 32-bit PRNG (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
