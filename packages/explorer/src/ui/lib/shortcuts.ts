/**
 * Every keyboard shortcut of the UI, for the help overlay (`?`). The pages'
 * key handlers implement these; keep the two in step (docs/explorer-ui.md,
 * "Keyboard"). Keys are ignored while typing in a field, except Esc.
 */
export interface Shortcut {
  keys: string[];
  does: string;
}

export interface ShortcutGroup {
  title: string;
  shortcuts: Shortcut[];
}

export const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'Everywhere',
    shortcuts: [
      { keys: ['?'], does: 'Show or hide this help' },
      { keys: ['/'], does: 'Focus the search form (search page) or Find in trace (trace page)' },
      { keys: ['Esc'], does: 'Close this help, the span detail, or leave a field' },
    ],
  },
  {
    title: 'Search results',
    shortcuts: [
      { keys: ['j', '↓'], does: 'Next result' },
      { keys: ['k', '↑'], does: 'Previous result' },
      { keys: ['Enter'], does: 'Open the highlighted trace' },
      { keys: ['l'], does: 'Live results on / off' },
      { keys: ['p'], does: 'Pause or resume live results' },
    ],
  },
  {
    title: 'Trace',
    shortcuts: [
      { keys: ['j', '↓'], does: 'Next span' },
      { keys: ['k', '↑'], does: 'Previous span' },
      { keys: ['←'], does: 'Collapse the span, or go to its parent' },
      { keys: ['→'], does: 'Expand the span' },
      { keys: ['e'], does: 'Jump to the first error' },
    ],
  },
];

/** Whether a key event comes from typing in a field (shortcuts leave those alone). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as { closest?: (s: string) => unknown } | null;
  return Boolean(el?.closest?.('input, select, textarea, [contenteditable="true"]'));
}

/** A plain key press: no Ctrl/Alt/Meta (browser and OS shortcuts stay theirs). */
export function isPlainKey(e: { altKey: boolean; ctrlKey: boolean; metaKey: boolean }): boolean {
  return !e.altKey && !e.ctrlKey && !e.metaKey;
}
