/**
 * What both receivers do with a decoded request: store the accepted spans
 * (resolving only after the commit) and describe the partial success, if any.
 */
import type { Store } from '../store/store.ts';
import type { DecodeResult } from './decode.ts';
import { ExportTraceServiceResponse } from './otlp-schema.ts';
import type { TraceFeed } from './trace-feed.ts';

export interface ExportOutcome {
  accepted: number;
  rejected: number;
  errorMessage: string;
}

/** `feed` hears of the traces written once the store has committed them (live search and trace pages). */
export async function storeDecoded(store: Store, decoded: DecodeResult, feed?: TraceFeed): Promise<ExportOutcome> {
  const stored = await store.write(decoded.spans);
  if (feed && decoded.spans.length > stored.rejected) feed.publish(new Set(decoded.spans.map((s) => s.span.traceId)));
  // Spans the store refused (a full trace) are rejected like those the decoder refused.
  const messages = [...decoded.messages, ...stored.messages];
  return { accepted: decoded.spans.length - stored.rejected, rejected: decoded.rejected + stored.rejected, errorMessage: messages.join('; ') };
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
