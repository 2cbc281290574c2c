/** A stored trace as an OTLP/JSON ExportTraceServiceRequest (for download and re-import). */
import type { StoredSpan } from '../model.ts';
import { sortSpans } from './trace-view.ts';

export function traceToOtlpJson(spans: StoredSpan[]): { resourceSpans: unknown[] } {
  // Group by resource and scope content: chunks from different batches hold equal copies.
  const resources = new Map<string, { resource: unknown; schemaUrl?: string; scopes: Map<string, { scope: unknown; spans: unknown[] }> }>();
  for (const { span, resource, scope } of sortSpans(spans)) {
    const rKey = JSON.stringify(resource);
    let r = resources.get(rKey);
    if (!r) {
      const { schemaUrl, ...res } = resource;
      r = { resource: res, scopes: new Map() };
      if (schemaUrl) r.schemaUrl = schemaUrl;
      resources.set(rKey, r);
    }
    const sKey = JSON.stringify(scope);
    let s = r.scopes.get(sKey);
    if (!s) {
      const { schemaUrl: _ignored, ...sc } = scope;
      s = { scope: sc, spans: [] };
      r.scopes.set(sKey, s);
    }
    const { parentSpanId, ...rest } = span;
    s.spans.push(parentSpanId ? { ...rest, parentSpanId } : rest);
  }
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: r.resource,
      scopeSpans: [...r.scopes.values()].map((s) => ({ scope: s.scope, spans: s.spans })),
      ...(r.schemaUrl ? { schemaUrl: r.schemaUrl } : {}),
    })),
  };
}
