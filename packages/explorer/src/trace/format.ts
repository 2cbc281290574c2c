/**
 * Durations for people: one formatter for the UI, the CLI and the demo.
 * Three significant digits at most, a space before the unit: `656 µs`,
 * `1.19 s`, `374 ms`, `2 min 5 s`.
 */
export function formatDurationNs(ns: number | bigint): string {
  const n = typeof ns === 'bigint' ? Number(ns) : ns;
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1_000) return `${Math.round(n)} ns`;
  if (n < 999_500) return `${trim(n / 1_000)} µs`;
  if (n < 999_500_000) return `${trim(n / 1_000_000)} ms`;
  if (n < 59_500_000_000) return `${trim(n / 1_000_000_000)} s`;
  const totalS = Math.round(n / 1_000_000_000);
  return `${Math.floor(totalS / 60)} min ${totalS % 60} s`;
}

/** Three significant digits at most: 1.23, 12.3, 123. */
function trim(n: number): string {
  if (n >= 99.95) return String(Math.round(n));
  if (n >= 9.995) return String(Math.round(n * 10) / 10);
  return String(Math.round(n * 100) / 100);
}
