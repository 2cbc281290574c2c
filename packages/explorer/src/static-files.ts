/**
 * Serves the built UI (dist/ui) with an index.html fallback for client-side
 * routes (/trace/<id>, /search, /map). Paths are resolved inside the UI
 * directory only; hashed assets are cached for a year.
 *
 * A path it cannot serve answers 400 (not decodable, a NUL or control
 * character, a backslash, a `..` segment) or 404 (too long, or the file
 * system refuses it: a name over 255 bytes, a file used as a directory), never
 * an exception: `fs.statSync` throws on all of these.
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

const HEADERS = { 'x-content-type-options': 'nosniff', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' };

/** No UI route or asset path is longer (a trace route is 39 characters). */
export const MAX_UI_PATH_CHARS = 1024;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Tracewire explorer</title>
<body style="font-family:system-ui;margin:3rem"><h1>Tracewire explorer</h1>
<p>The web UI is not built. Run <code>npm run build:ui -w @tracewire/explorer</code> (or <code>npm run explorer</code>, which builds it), then reload.</p>
<p>The API is up: <a href="/api/services">/api/services</a>, <a href="/api/tw/status">/api/tw/status</a>.</p></body>`;

/** The decoded path, or undefined when no file or route could have this name. */
function decodePath(pathname: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  // Control characters (NUL makes fs throw), backslashes (a separator on Windows) and `..` segments have no business in a UI path.
  if (/[\u0000-\u001f\u007f\\]/.test(rel) || rel.split('/').includes('..')) return undefined;
  return rel;
}

type Lookup = fs.Stats | 'missing' | 'refused';

/** `fs.statSync` throws on names the file system refuses (ENAMETOOLONG, ENOTDIR, ...): those are 'refused', not a crash. */
function lookup(file: string): Lookup {
  try {
    return fs.statSync(file, { throwIfNoEntry: false }) ?? 'missing';
  } catch {
    return 'refused';
  }
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...HEADERS }).end(text);
}

/** The file to answer with: the asset, a directory's index.html, or index.html for a client route; undefined = 404. */
function resolveFile(root: string, rel: string): { file: string; stat: fs.Stats } | 'not-built' | undefined {
  let file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  let found = lookup(file);
  if (typeof found === 'object' && found.isDirectory()) {
    file = path.join(file, 'index.html');
    found = lookup(file);
  }
  if (typeof found === 'object' && found.isFile()) return { file, stat: found };
  // A missing name is a client-side route (-> index.html) unless it looks like an asset; anything else is 404.
  if (found !== 'missing' || (path.extname(rel) !== '' && !rel.startsWith('/trace/'))) return undefined;
  const index = path.join(root, 'index.html');
  const stat = lookup(index);
  return typeof stat === 'object' && stat.isFile() ? { file: index, stat } : 'not-built';
}

export function serveStatic(uiDir: string, req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
  if (pathname.length > MAX_UI_PATH_CHARS) return sendText(res, 404, 'not found');
  const rel = decodePath(pathname);
  if (rel === undefined) return sendText(res, 400, 'bad path');
  const found = resolveFile(path.resolve(uiDir), rel);
  if (found === undefined) return sendText(res, 404, 'not found');
  if (found === 'not-built') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...HEADERS }).end(NOT_BUILT);
    return;
  }
  const { file, stat } = found;
  const isAsset = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': String(stat.size),
    'cache-control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // A read error after the headers went out (file removed by a rebuild) can only cut the connection.
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
