/**
 * Listens to a server-sent-events stream while `url` is set. The browser's
 * EventSource reconnects by itself after a network drop (the server's
 * `retry:`); an HTTP error answer (503 too many streams, 404 from an explorer
 * without live routes) closes it for good: status 'failed', so the caller can
 * fall back to polling.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export type StreamStatus = 'off' | 'connecting' | 'open' | 'failed';

export function useEventStream(url: string | undefined, handlers: Record<string, (data: string) => void>): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>('off');
  // The latest handlers without reopening the stream on every render.
  const current = useRef(handlers);
  current.current = handlers;
  const names = Object.keys(handlers).sort().join(',');
  useEffect(() => {
    if (!url) {
      setStatus('off');
      return;
    }
    setStatus('connecting');
    const source = new EventSource(url);
    source.onopen = () => setStatus('open');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'failed' : 'connecting');
    for (const name of names.split(',')) {
      if (name) source.addEventListener(name, (e) => current.current[name]?.((e as MessageEvent<string>).data));
    }
    return () => source.close();
  }, [url, names]);
  return status;
}
