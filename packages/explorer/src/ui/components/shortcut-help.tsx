/**
 * The keyboard help overlay: `?` opens and closes it, Esc or a click outside
 * closes it. `/` focuses the current page's `[data-slash-focus]` field.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { isPlainKey, isTyping, SHORTCUTS } from '../lib/shortcuts.ts';

export function ShortcutHelp() {
  const [open, setOpen] = useState(false);
  // The listener reads the current state through a ref: re-registering it on each change left a
  // gap after Esc (the old listener, still "open", ignored a `/` pressed before the re-render).
  const openRef = useRef(open);
  openRef.current = open;
  const show = (next: boolean): void => {
    openRef.current = next;
    setOpen(next);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const open = openRef.current;
      if (open && e.key === 'Escape') {
        e.preventDefault();
        e.stopImmediatePropagation();
        show(false);
        return;
      }
      if (e.key === 'Escape' && isTyping(e.target)) {
        (e.target as HTMLElement).blur();
        return;
      }
      if (!isPlainKey(e) || isTyping(e.target)) return;
      if (e.key === '?') {
        e.preventDefault();
        show(!open);
      } else if (e.key === '/' && !open) {
        const field = document.querySelector<HTMLElement>('[data-slash-focus]');
        if (field) {
          e.preventDefault();
          field.focus();
        }
      }
    };
    // Capture phase: Esc closes the help before a page uses it to close something else.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  if (!open) return null;
  return (
    <div class="tw-help-backdrop" onClick={() => show(false)}>
      <div class="tw-help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <header>
          <h2>Keyboard shortcuts</h2>
          <button class="tw-small" onClick={() => show(false)} aria-label="Close">
            Esc
          </button>
        </header>
        {SHORTCUTS.map((g) => (
          <section>
            <h3>{g.title}</h3>
            <dl>
              {g.shortcuts.map((s) => (
                <div class="tw-help-row">
                  <dt>
                    {s.keys.map((k) => (
                      <kbd>{k}</kbd>
                    ))}
                  </dt>
                  <dd>{s.does}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </div>
  );
}
