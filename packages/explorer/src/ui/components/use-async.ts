/** Runs an async load when `deps` change, aborting the previous one. */
import { useEffect, useState } from 'preact/hooks';

export type AsyncState<T> =
  | { status: 'loading'; data: T | undefined }
  | { status: 'ok'; data: T }
  | { status: 'error'; error: Error; data: T | undefined };

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading', data: undefined });
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ status: 'loading', data: s.data }));
    load(ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ status: 'ok', data });
      },
      (error: unknown) => {
        if (!ctrl.signal.aborted) {
          setState((s) => ({ status: 'error', error: error instanceof Error ? error : new Error(String(error)), data: s.data }));
        }
      },
    );
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
