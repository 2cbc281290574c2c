/**
 * Traces opened from a file (pages/upload): kept in this tab's memory only,
 * never sent to the explorer. The trace and compare pages load through
 * `loadTrace`, so an opened trace gets every view a stored one has; reloading
 * the page forgets it.
 */
import type { TraceView } from '../api-types.ts';
import { fetchTrace } from './api.ts';

export interface OpenedTrace {
  view: TraceView;
  fileName: string;
}

const opened = new Map<string, OpenedTrace>();

export function keepOpened(view: TraceView, fileName: string): void {
  opened.set(view.traceId.toLowerCase(), { view, fileName });
}

export function openedTrace(traceId: string): OpenedTrace | undefined {
  return opened.get(traceId.toLowerCase());
}

/** A trace from an opened file if there is one with this id, else from the explorer. */
export function loadTrace(traceId: string, signal?: AbortSignal): Promise<TraceView> {
  const local = openedTrace(traceId);
  return local ? Promise.resolve(local.view) : fetchTrace(traceId, signal);
}
