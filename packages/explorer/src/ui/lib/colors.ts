/**
 * A colour per service name that stays the same on every page. Services get
 * palette entries in the order the viewer first sees them (kept in
 * localStorage), so the first 16 services never share a colour, which hashing
 * names into a small palette cannot promise. Past the palette, hashing decides.
 */
export const PALETTE = [
  '#3b82f6', '#f59e0b', '#10b981', '#a855f7', '#ef6c9b', '#06b6d4', '#84cc16', '#f97316',
  '#6366f1', '#14b8a6', '#eab308', '#d946ef', '#0ea5e9', '#22c55e', '#8b5cf6', '#fb7185',
] as const;

const KEY = 'tracewire.serviceColors';

export interface ColorStore {
  get(): string | null;
  set(value: string): void;
}

function browserStore(): ColorStore | undefined {
  try {
    const ls = globalThis.localStorage;
    return ls ? { get: () => ls.getItem(KEY), set: (v) => ls.setItem(KEY, v) } : undefined;
  } catch {
    return undefined;
  }
}

export function hashColor(service: string): string {
  let h = 2166136261;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

export function createColorRegistry(store: ColorStore | undefined) {
  let assigned: Record<string, number> = {};
  try {
    const raw: unknown = JSON.parse(store?.get() ?? '{}');
    if (raw && typeof raw === 'object') assigned = raw as Record<string, number>;
  } catch {
    // Corrupt entry: start over.
  }
  return (service: string): string => {
    const known = assigned[service];
    if (typeof known === 'number' && PALETTE[known]) return PALETTE[known];
    const used = Object.keys(assigned).length;
    if (used >= PALETTE.length) return hashColor(service);
    assigned[service] = used;
    try {
      store?.set(JSON.stringify(assigned));
    } catch {
      // Storage full or blocked: colours still hold for this page.
    }
    return PALETTE[used]!;
  };
}

export const serviceColor = createColorRegistry(browserStore());
