/**
 * The search page's keys (lib/shortcuts.ts): j/k or ↓/↑ move a highlight
 * through the results, Enter opens the highlighted trace, l and p drive live mode.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiTraceSummary } from '../../../api-types.ts';
import { isPlainKey, isTyping } from '../../lib/shortcuts.ts';
import { traceHref } from '../../lib/routes.ts';
import { navigate } from '../../router.tsx';
import type { LiveSearch } from './live-control.tsx';

export function useResultKeys(traces: readonly ApiTraceSummary[], live: LiveSearch): string | undefined {
  const [active, setActive] = useState<string | undefined>();
  // Read at key time (one listener for the page's life): a listener re-registered after each
  // render would lag behind key presses that come faster than effects run.
  const latest = useRef({ traces, active, live });
  latest.current = { traces, active: latest.current.active, live };
  useEffect(() => {
    const move = (by: number): void => {
      const { traces: list, active: current } = latest.current;
      if (list.length === 0) return;
      const at = list.findIndex((t) => t.traceId === current);
      const next = list[Math.min(list.length - 1, Math.max(0, at < 0 ? 0 : at + by))]!.traceId;
      latest.current.active = next;
      setActive(next);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (!isPlainKey(e) || isTyping(e.target)) return;
      const { active: current, live: l } = latest.current;
      let handled = true;
      if (e.key === 'j' || e.key === 'ArrowDown') move(1);
      else if (e.key === 'k' || e.key === 'ArrowUp') move(-1);
      else if (e.key === 'Enter' && current) navigate(traceHref(current));
      else if (e.key === 'l') l.toggle();
      else if (e.key === 'p' && l.on) (l.paused ? l.resume : l.pause)();
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // Keep the highlighted result in view.
  useEffect(() => {
    if (active) document.querySelector(`li.tw-result[data-trace-id="${CSS.escape(active)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  return active;
}
