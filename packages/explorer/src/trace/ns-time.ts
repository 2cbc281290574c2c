/**
 * Nanosecond timestamps (decimal strings, ~1.7e18 today: past a double's
 * 2^53 exact range) as exact trace-relative numbers, without a BigInt per
 * value: the string splits into whole seconds and the nine nanosecond
 * digits, both exact doubles, and offsets from a reference second stay exact
 * while they are under 2^53 ns (104 days). A 100,000-span trace has 200,000
 * timestamps; BigInt parsing them was a good part of building its tree.
 */

/** Offsets of `values` from the earliest of them, exactly, and that earliest as a bigint; undefined when one is not a plain decimal or the spread is too wide. */
export function relativeNs(values: readonly string[]): { offsets: Float64Array; minNs: bigint } | undefined {
  const n = values.length;
  const secs = new Float64Array(n);
  const frac = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = values[i] as string;
    if (s.length > 20 || !/^\d+$/.test(s)) return undefined;
    const cut = Math.max(0, s.length - 9);
    secs[i] = cut === 0 ? 0 : Number(s.slice(0, cut));
    frac[i] = Number(s.slice(cut));
  }
  let minSec = Infinity;
  let maxSec = -Infinity;
  for (let i = 0; i < n; i++) {
    if (secs[i]! < minSec) minSec = secs[i]!;
    if (secs[i]! > maxSec) maxSec = secs[i]!;
  }
  if (n === 0) return { offsets: new Float64Array(0), minNs: 0n };
  // (maxSec - minSec + 1) * 1e9 must stay below 2^53 for every offset to be exact.
  if ((maxSec - minSec + 1) * 1e9 >= Number.MAX_SAFE_INTEGER) return undefined;
  const offsets = new Float64Array(n);
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    offsets[i] = (secs[i]! - minSec) * 1e9 + frac[i]!;
    if (offsets[i]! < min) min = offsets[i]!;
  }
  for (let i = 0; i < n; i++) offsets[i] = offsets[i]! - min;
  return { offsets, minNs: BigInt(minSec) * 1_000_000_000n + BigInt(min) };
}
