/**
 * What both receivers do with a decoded request: store the accepted spans
 * (resolving only after the commit) and describe the partial success, if any.
 */
import type { Store } from '../store/store.ts';
import type { DecodeResult } from './decode-context.ts';
import { ExportTraceServiceResponse } from './otlp-schema.ts';

export interface ExportOutcome {
  accepted: number;
  rejected: number;
  errorMessage: string;
}

/**
 * Writes in groups of at most `spansPerWrite`, one after another, so one huge
 * export never holds the store's writer for long: other exports' writes are
 * committed between its groups. Should a later group fail, the earlier ones
 * are stored and the exporter's retry is harmless (a span id the trace already
 * holds is dropped, first copy wins).
 */
export async function storeDecoded(store: Store, decoded: DecodeResult, spansPerWrite: number): Promise<ExportOutcome> {
  const { spans } = decoded;
  const group = Math.max(1, spansPerWrite);
  if (spans.length <= group) await store.write(spans);
  else for (let i = 0; i < spans.length; i += group) await store.write(spans.slice(i, i + group));
  return { accepted: spans.length, rejected: decoded.rejected, errorMessage: decoded.messages.join('; ') };
}

/** OTLP says: set partial_success only when something was rejected or there is a warning. */
export function responseJson(o: ExportOutcome): Record<string, unknown> {
  if (o.rejected === 0 && o.errorMessage === '') return {};
  return { partialSuccess: { rejectedSpans: String(o.rejected), errorMessage: o.errorMessage } };
}

export function responseProtobuf(o: ExportOutcome): Uint8Array {
  const body =
    o.rejected === 0 && o.errorMessage === ''
      ? {}
      : { partialSuccess: { rejectedSpans: o.rejected, errorMessage: o.errorMessage } };
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(body)).finish();
}
