/**
 * What both receivers do with a decoded request: store the accepted spans
 * (resolving only after the commit) and describe the partial success, if any.
 */
import type { Store } from '../store/store.ts';
import { decodeProtobuf } from './decode.ts';
import type { DecodeResult } from './decode-context.ts';
import type { SpanLimits } from './limits.ts';
import { ExportTraceServiceResponse } from './otlp-schema.ts';
import type { TraceFeed } from './trace-feed.ts';

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
 * holds is dropped, first copy wins). Spans the store refuses (a full trace)
 * are rejected like those the decoder refused. `feed` hears of the traces of
 * each group once the store has committed it (live search and trace pages).
 */
export async function storeDecoded(store: Store, decoded: DecodeResult, spansPerWrite: number, feed?: TraceFeed): Promise<ExportOutcome> {
  const { spans } = decoded;
  const group = Math.max(1, spansPerWrite);
  let refused = 0;
  const messages = [...decoded.messages];
  for (let i = 0; i < spans.length; i += group) {
    const part = spans.length <= group ? spans : spans.slice(i, i + group);
    const stored = await store.write(part);
    refused += stored.rejected;
    for (const m of stored.messages) if (!messages.includes(m)) messages.push(m);
    if (feed && part.length > stored.rejected) feed.publish(new Set(part.map((s) => s.span.traceId)));
  }
  return { accepted: spans.length - refused, rejected: decoded.rejected + refused, errorMessage: messages.join('; ') };
}

/**
 * An OTLP/protobuf request: stored as sent when the store can (Store.writeProtobuf: no span
 * objects, the bytes kept as they came), else decoded and written as storeDecoded does.
 */
export async function storeProtobuf(store: Store, bytes: Uint8Array, limits: SpanLimits, feed?: TraceFeed): Promise<ExportOutcome> {
  const r = await store.writeProtobuf?.(bytes, limits);
  if (!r) return storeDecoded(store, decodeProtobuf(bytes, limits), limits.spansPerWrite, feed);
  if (feed && r.traceIds.size) feed.publish(r.traceIds);
  return { accepted: r.spans - r.rejected, rejected: r.rejected, errorMessage: r.messages.join('; ') };
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
