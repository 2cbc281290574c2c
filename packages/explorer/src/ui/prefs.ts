/** Viewer preferences kept in localStorage: theme and time zone. */
import { useEffect, useState } from 'preact/hooks';
import type { TimeZoneMode } from './lib/format.ts';

export interface Prefs {
  theme: 'light' | 'dark';
  tz: TimeZoneMode;
}

const KEY = 'tracewire.prefs';
const EVENT = 'tw:prefs';

function load(): Prefs {
  const fallback: Prefs = {
    theme: window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
    tz: 'local',
  };
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Prefs>;
    return {
      theme: raw.theme === 'dark' || raw.theme === 'light' ? raw.theme : fallback.theme,
      tz: raw.tz === 'utc' || raw.tz === 'local' ? raw.tz : fallback.tz,
    };
  } catch {
    return fallback;
  }
}

export function setPrefs(patch: Partial<Prefs>): void {
  const next = { ...load(), ...patch };
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Private mode or storage full: the change still applies to this page.
  }
  applyTheme(next.theme);
  window.dispatchEvent(new CustomEvent(EVENT, { detail: next }));
}

export function applyTheme(theme: Prefs['theme']): void {
  document.documentElement.dataset.theme = theme;
}

export function usePrefs(): Prefs {
  const [prefs, set] = useState<Prefs>(load);
  useEffect(() => {
    const update = (e: Event): void => set((e as CustomEvent<Prefs>).detail);
    window.addEventListener(EVENT, update);
    return () => window.removeEventListener(EVENT, update);
  }, []);
  return prefs;
}

export function initialTheme(): Prefs['theme'] {
  return load().theme;
}
