/**
 * Serves the built UI (dist/ui) with the fixture traces behind the same API
 * paths as the explorer, for working on the UI alone:
 *   node --import tsx packages/explorer/src/ui/dev/fixture-server.ts [port]
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeTrace, shopTrace } from './fixture.ts';
import { depthOf } from './fixture-depth.ts';

const dist = fileURLToPath(new URL('../../../dist/ui/', import.meta.url));
const traces = [shopTrace(), largeTrace(10_000)];
for (const t of traces) t.summary.depth = depthOf(t.spans);
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

function summary(t: (typeof traces)[number]) {
  const root = t.spans.find((s) => !s.parentSpanId)!;
  return {
    traceId: t.traceId, rootService: root.service, rootName: root.name,
    startMs: Number(BigInt(root.startNs) / 1_000_000n), durationMs: Number(t.summary.durationNs) / 1e6,
    spanCount: t.spans.length, errorCount: t.summary.errorCount, services: t.summary.services,
  };
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/api/services') return json(200, { data: [...new Set(traces.flatMap((t) => t.spans.map((s) => s.service)))] });
  if (url.pathname === '/api/operations') return json(200, { data: [...new Set(traces.flatMap((t) => t.spans.filter((s) => s.service === url.searchParams.get('service')).map((s) => s.name)))].map((name) => ({ name, spanKind: 'server' })) });
  if (url.pathname === '/api/tw/search') {
    const service = url.searchParams.get('service');
    const list = traces.filter((t) => !service || t.spans.some((s) => s.service === service)).map(summary);
    return json(200, { total: list.length, totalCapped: false, limit: 20, offset: 0, traces: list });
  }
  const m = /^\/api\/tw\/traces\/([0-9a-f]+)$/.exec(url.pathname);
  if (m) {
    const t = traces.find((x) => x.traceId === m[1]);
    return t ? json(200, t) : json(404, { error: 'trace not found' });
  }
  if (url.pathname === '/api/tw/service-map') {
    return json(200, {
      nodes: ['gateway', 'orders', 'inventory', 'notifications', 'shipping', 'analytics'].map((s, i) => ({ service: s, spanCount: 100 + i * 17, errorCount: s === 'inventory' ? 4 : 0 })),
      edges: [
        { from: 'gateway', to: 'orders', kind: 'rpc', count: 120, errorCount: 0, errorRate: 0 },
        { from: 'orders', to: 'inventory', kind: 'rpc', count: 118, errorCount: 4, errorRate: 4 / 118 },
        { from: 'orders', to: 'notifications', kind: 'messaging', system: 'kafka', count: 117, errorCount: 0, errorRate: 0 },
        { from: 'orders', to: 'shipping', kind: 'messaging', system: 'rabbitmq', count: 117, errorCount: 3, errorRate: 3 / 117 },
        { from: 'orders', to: 'analytics', kind: 'messaging', count: 10, errorCount: 0, errorRate: 0 },
        { from: 'notifications', to: 'gateway', kind: 'http', count: 3, errorCount: 0, errorRate: 0 },
      ],
    });
  }
  const file = normalize(join(dist, url.pathname));
  const target = file.startsWith(dist) && extname(file) ? file : join(dist, 'index.html');
  try {
    const body = await readFile(target);
    res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
server.listen(Number(process.argv[2] ?? 5180), '127.0.0.1', () => console.log(`fixture UI on http://127.0.0.1:${Number(process.argv[2] ?? 5180)}`));
