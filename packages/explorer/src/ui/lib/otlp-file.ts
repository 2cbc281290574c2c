/**
 * Opens an OTLP JSON file in the browser without storing it: the file the
 * trace page's download button writes (an ExportTraceServiceRequest), or what
 * other tools export, such as the OpenTelemetry Collector's file exporter
 * (one request per line, JSON Lines). Spans go through the receivers' own
 * decoding rules and limits (src/receive/decode-json.ts, no Node APIs) and the query API's own view
 * (src/query/trace-view.ts), so a file shows exactly as the explorer would
 * show the same spans after storing them.
 *
 * Hostile files give an `OtlpFileError` with a readable message, never a
 * crash: size is bounded, JSON errors say where, spans with bad ids or times
 * are counted and left out.
 */
import type { TraceView } from '../../api-types.ts';
import type { StoredSpan } from '../../model.ts';
import { traceView } from '../../query/trace-view.ts';
import { MalformedPayloadError } from '../../receive/decode-context.ts';
import { decodeJsonObject } from '../../receive/decode-json.ts';
import { isObj } from '../../receive/json-fields.ts';
import { prepareJson } from '../../receive/json-scan.ts';
import { DEFAULT_LIMITS } from '../../receive/limits.ts';

/** JSON.parse with the receiver's container bound, and bare 64-bit integers kept exact. */
function parseJson(text: string): unknown {
  return JSON.parse(prepareJson(text, DEFAULT_LIMITS.maxJsonContainers));
}

/**
 * Largest file opened. A 100,000-span trace (the most the explorer serves)
 * downloads as some tens of MB; far beyond that, parsing would hold the tab.
 */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class OtlpFileError extends Error {
  override name = 'OtlpFileError';
}

export interface OpenedFile {
  /** One view per trace id in the file, earliest first. */
  traces: TraceView[];
  /** Spans left out (invalid ids or timestamps), and why (a few reasons). */
  rejected: number;
  messages: string[];
}

/** Protobuf's default JSON mapping writes ids as base64; OTLP JSON asks for hex. Accept both. */
function hexId(v: unknown, bytes: number): unknown {
  if (typeof v !== 'string' || v.length !== Math.ceil(bytes / 3) * 4 || !/^[A-Za-z0-9+/]+=*$/.test(v)) return v;
  try {
    const bin = atob(v);
    if (bin.length !== bytes) return v;
    let out = '';
    for (let i = 0; i < bin.length; i++) out += bin.charCodeAt(i).toString(16).padStart(2, '0');
    return out;
  } catch {
    return v;
  }
}

function fixIds(req: Record<string, unknown>): void {
  for (const rs of Array.isArray(req.resourceSpans) ? req.resourceSpans : []) {
    for (const ss of isObj(rs) && Array.isArray(rs.scopeSpans) ? rs.scopeSpans : []) {
      for (const sp of isObj(ss) && Array.isArray(ss.spans) ? ss.spans : []) {
        if (!isObj(sp)) continue;
        sp.traceId = hexId(sp.traceId, 16);
        sp.spanId = hexId(sp.spanId, 8);
        if (sp.parentSpanId) sp.parentSpanId = hexId(sp.parentSpanId, 8);
      }
    }
  }
}

/** The requests in the text: one JSON document, or one per line. */
function parseRequests(text: string): unknown[] {
  try {
    const whole: unknown = parseJson(text);
    return Array.isArray(whole) ? whole : [whole];
  } catch (err) {
    if (err instanceof MalformedPayloadError) throw new OtlpFileError(`This file is too large to open: ${err.message}`);
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length < 2) throw new OtlpFileError(`This file is not JSON: ${(err as Error).message}`);
    return lines.map((line, i) => {
      try {
        return parseJson(line);
      } catch (lineErr) {
        throw new OtlpFileError(`Line ${i + 1} of this file is not JSON: ${(lineErr as Error).message}`);
      }
    });
  }
}

/**
 * @example
 * const { traces } = openOtlpJson(await file.text());
 * traces[0]?.spans.length;
 */
export function openOtlpJson(text: string): OpenedFile {
  if (text.length > MAX_FILE_BYTES) throw new OtlpFileError(`This file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB, the most the page opens.`);
  const spans: StoredSpan[] = [];
  let rejected = 0;
  const messages: string[] = [];
  for (const req of parseRequests(text)) {
    if (!isObj(req) || !('resourceSpans' in req || 'resource_spans' in req)) {
      throw new OtlpFileError('This is JSON but not OTLP: expected an object with resourceSpans (an ExportTraceServiceRequest).');
    }
    fixIds(req);
    try {
      const decoded = decodeJsonObject(req, DEFAULT_LIMITS);
      for (const s of decoded.spans) spans.push(s);
      rejected += decoded.rejected;
      for (const m of decoded.messages) if (messages.length < 5) messages.push(m);
    } catch (err) {
      if (err instanceof MalformedPayloadError) throw new OtlpFileError(`This OTLP JSON is malformed: ${err.message}`);
      throw err;
    }
  }
  if (spans.length === 0) throw new OtlpFileError(rejected > 0 ? `No valid spans in this file: ${messages[0] ?? ''}` : 'This file holds no spans.');
  const byTrace = new Map<string, StoredSpan[]>();
  for (const s of spans) {
    const list = byTrace.get(s.span.traceId);
    if (list) list.push(s);
    else byTrace.set(s.span.traceId, [s]);
  }
  const traces = [...byTrace].map(([id, list]) => traceView(id, list));
  traces.sort((a, b) => (BigInt(a.spans[0]?.startNs ?? '0') < BigInt(b.spans[0]?.startNs ?? '0') ? -1 : 1));
  return { traces, rejected, messages };
}
