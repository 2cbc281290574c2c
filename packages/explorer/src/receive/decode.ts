/**
 * Turns an OTLP ExportTraceServiceRequest (protobuf bytes or OTLP/JSON text)
 * into stored spans by the rules in normalize.ts. Structural garbage throws
 * `MalformedPayloadError` (HTTP 400 / gRPC INVALID_ARGUMENT); a span with
 * invalid ids or timestamps is rejected alone and counted, as partial success
 * allows (https://opentelemetry.io/docs/specs/otlp/#partial-success).
 */
import { type SpanLimits, DEFAULT_LIMITS } from './limits.ts';
import { type DecodeResult, type Loose, isObj, MalformedPayloadError, normalizeRequest } from './normalize.ts';
import { ExportTraceServiceRequest } from './otlp-schema.ts';

export { MalformedPayloadError };
export type { DecodeResult };

export function decodeProtobuf(bytes: Uint8Array, limits: SpanLimits = DEFAULT_LIMITS): DecodeResult {
  let obj: Loose;
  try {
    const message = ExportTraceServiceRequest.decode(bytes);
    obj = ExportTraceServiceRequest.toObject(message, { longs: String, enums: Number, arrays: true }) as Loose;
  } catch (err) {
    throw new MalformedPayloadError(`invalid protobuf ExportTraceServiceRequest: ${(err as Error).message}`);
  }
  return normalizeRequest(obj, limits);
}

export function decodeJson(text: string, limits: SpanLimits = DEFAULT_LIMITS): DecodeResult {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new MalformedPayloadError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObj(obj)) throw new MalformedPayloadError('the body must be a JSON object with resourceSpans');
  return normalizeRequest(obj, limits);
}

