/**
 * The search page's live mode: results stream in from `/api/tw/live` as
 * traces are stored. Pause freezes the list (the stream stays open and the
 * newest answer is held), Resume shows it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SearchResponse } from '../../../api-types.ts';
import { type StreamStatus, useEventStream } from '../../components/use-event-stream.ts';

export interface LiveSearch {
  on: boolean;
  paused: boolean;
  status: StreamStatus;
  /** What the list shows while live (undefined before the first answer). */
  shown: SearchResponse | undefined;
  /** Traces that came in with the last update shown (highlighted). */
  fresh: ReadonlySet<string>;
  /** Traces held back while paused that the list does not show yet. */
  waiting: number;
  toggle(): void;
  pause(): void;
  resume(): void;
}

function newIds(prev: SearchResponse | undefined, next: SearchResponse): Set<string> {
  if (!prev) return new Set();
  const had = new Set(prev.traces.map((t) => t.traceId));
  return new Set(next.traces.filter((t) => !had.has(t.traceId)).map((t) => t.traceId));
}

export function useLiveSearch(apiQuery: string): LiveSearch {
  const [on, setOn] = useState(false);
  const [paused, setPaused] = useState(false);
  const [shown, setShown] = useState<SearchResponse | undefined>();
  const [held, setHeld] = useState<SearchResponse | undefined>();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  // A new search starts from its own first answer.
  useEffect(() => {
    setShown(undefined);
    setHeld(undefined);
    setFresh(new Set());
  }, [apiQuery, on]);
  const status = useEventStream(on ? `/api/tw/live?${apiQuery}` : undefined, {
    search: (data) => {
      const next = JSON.parse(data) as SearchResponse;
      if (paused) return setHeld(next);
      setFresh(newIds(shown, next));
      setShown(next);
    },
  });
  const waiting = paused && held && shown ? newIds(shown, held).size : 0;
  return {
    on,
    paused,
    status,
    shown,
    fresh,
    waiting,
    toggle: () => {
      setOn(!on);
      setPaused(false);
    },
    pause: () => setPaused(true),
    resume: () => {
      setPaused(false);
      if (held) {
        setFresh(newIds(shown, held));
        setShown(held);
        setHeld(undefined);
      }
    },
  };
}

export function LiveControl({ live }: { live: LiveSearch }) {
  if (!live.on) {
    return (
      <button class="tw-live-toggle" onClick={live.toggle} title="Stream new traces into the results as they arrive">
        ● Live
      </button>
    );
  }
  const label = live.status === 'failed' ? 'Live unavailable' : live.paused ? 'Paused' : live.status === 'open' ? 'Live' : 'Connecting…';
  return (
    <span class="tw-live-controls">
      <span class={`tw-live-state state-${live.paused ? 'paused' : live.status}`} role="status">
        {label}
      </span>
      {live.paused ? (
        <button class="tw-live-resume" onClick={live.resume}>
          ▶ Resume{live.waiting > 0 ? ` (${live.waiting} new)` : ''}
        </button>
      ) : (
        <button class="tw-live-pause" onClick={live.pause}>
          ❚❚ Pause
        </button>
      )}
      <button class="tw-small" onClick={live.toggle} title="Stop streaming">
        Stop
      </button>
    </span>
  );
}
