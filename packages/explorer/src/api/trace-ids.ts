/** Trace ids in paths and parameters, and loading a trace by one. */
import type { StoredSpan } from '../model.ts';
import { ParamError } from '../query/params.ts';
import type { Store } from '../store/store.ts';
import { NotFoundError } from './respond.ts';

const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

/** Jaeger and OTLP ids are 32 hex digits; shorter ids are left-padded as Jaeger does. */
export function normalizeTraceId(raw: string, parameter = 'traceId'): string {
  if (!TRACE_ID.test(raw)) throw new ParamError(parameter, `${parameter} must be up to 32 hex digits`);
  return raw.toLowerCase().padStart(32, '0');
}

export interface LoadedTrace {
  id: string;
  spans: StoredSpan[];
}

/** The trace, or NotFoundError (404). */
export async function loadTrace(store: Store, rawId: string): Promise<LoadedTrace> {
  const id = normalizeTraceId(rawId);
  const spans = await store.getTrace(id);
  if (!spans) throw new NotFoundError(`trace ${id} not found`);
  return { id, spans };
}
