/**
 * Serves the built UI (dist/ui) with an index.html fallback for client-side
 * routes (/trace/<id>, /search, /map). Paths are resolved inside the UI
 * directory only; hashed assets are cached for a year.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// Attribute values are untrusted: the page may only run its own scripts.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Tracewire explorer</title>
<body style="font-family:system-ui;margin:3rem"><h1>Tracewire explorer</h1>
<p>The web UI is not built. Run <code>npm run build:ui -w @tracewire/explorer</code> (or <code>npm run explorer</code>, which builds it), then reload.</p>
<p>The API is up: <a href="/api/services">/api/services</a>, <a href="/api/tw/status">/api/tw/status</a>.</p></body>`;

export function serveStatic(uiDir: string, req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
  const headers = { 'x-content-type-options': 'nosniff', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' };
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
    return;
  }
  const root = path.resolve(uiDir);
  let file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  let stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    file = path.join(file, 'index.html');
    stat = fs.statSync(file, { throwIfNoEntry: false });
  }
  if (!stat?.isFile()) {
    // Unknown asset -> 404; anything else is a client-side route -> index.html.
    if (path.extname(rel) !== '' && !rel.startsWith('/trace/')) {
      res.writeHead(404, { 'content-type': 'text/plain', ...headers }).end('not found');
      return;
    }
    file = path.join(root, 'index.html');
    stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(NOT_BUILT);
      return;
    }
  }
  const isAsset = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': String(stat.size),
    'cache-control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...headers,
  });
  if (req.method === 'HEAD') res.end();
  else fs.createReadStream(file).pipe(res);
}
