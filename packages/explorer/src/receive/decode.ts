/**
 * Turns an OTLP ExportTraceServiceRequest (protobuf bytes or OTLP/JSON text)
 * into stored spans, with the limits of `SpanLimits` applied while decoding.
 * Structural garbage throws `MalformedPayloadError` (HTTP 400 / gRPC
 * INVALID_ARGUMENT); a span with invalid ids or timestamps is rejected alone
 * and counted, as partial success allows
 * (https://opentelemetry.io/docs/specs/otlp/#partial-success).
 */
import type { DecodeResult } from './decode-context.ts';
import { decodeJsonRequest } from './decode-json.ts';
import { decodeProtobufRequest } from './decode-protobuf.ts';
import { DEFAULT_LIMITS, type SpanLimits } from './limits.ts';

export { type DecodeResult, MalformedPayloadError } from './decode-context.ts';

export function decodeProtobuf(bytes: Uint8Array, limits: SpanLimits = DEFAULT_LIMITS): DecodeResult {
  return decodeProtobufRequest(bytes, limits);
}

export function decodeJson(text: string, limits: SpanLimits = DEFAULT_LIMITS): DecodeResult {
  return decodeJsonRequest(text, limits);
}
