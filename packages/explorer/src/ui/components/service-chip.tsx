import { serviceColor } from '../lib/colors.ts';

/** A service name with its colour swatch, and optionally a span count. */
export function ServiceChip({ name, count }: { name: string; count?: number }) {
  return (
    <span class="tw-chip" title={count === undefined ? name : `${name}: ${count} spans`}>
      <span class="tw-swatch" style={{ background: serviceColor(name) }} />
      {name}
      {count !== undefined && <span class="tw-chip-count">{count}</span>}
    </span>
  );
}
