/**
 * How a browser gets into a token-protected explorer. Page loads cannot carry
 * an Authorization header, so the token is traded once for a session cookie:
 *
 * - `GET /login` (or any UI page without a session): a plain HTML form, 401.
 * - `POST /login` (form body `token=…`, at most 4 KiB): right token → 303 to `/`
 *   with `Set-Cookie: tracewire_session=…; HttpOnly; SameSite=Strict; Path=/`;
 *   wrong → the form again, 401. The token never appears in a URL this way.
 * - `?token=…` on any UI URL (for links printed by scripts): right token →
 *   the cookie and a 303 to the same URL without `token`, so it does not stay
 *   in the address bar; wrong → 401.
 *
 * HttpOnly keeps scripts (even injected ones) from reading the cookie;
 * SameSite=Strict keeps other sites from riding on it (no CSRF, and the API is
 * read-only anyway). The cookie is a session cookie (no Max-Age): it ends
 * with the browser session. `Secure` is added when the request came over TLS
 * (behind a TLS proxy that sets `X-Forwarded-Proto: https`).
 */
import type http from 'node:http';
import { type Auth, SESSION_COOKIE } from './auth.ts';

const MAX_FORM_BYTES = 4096;

const PAGE = (message: string) => `<!doctype html><meta charset="utf-8"><title>Tracewire explorer: sign in</title>
<body style="font-family:system-ui;margin:3rem;max-width:32rem">
<h1>Tracewire explorer</h1><p>${message}</p>
<form method="post" action="/login"><label>Token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
<button type="submit">Sign in</button></form></body>`;

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
};

function cookie(auth: Auth, req: http.IncomingMessage): string {
  const secure = req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${SESSION_COOKIE}=${auth.sessionValue()}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

export function sendLoginPage(res: http.ServerResponse, message = 'This explorer needs its access token.'): void {
  res.writeHead(401, PAGE_HEADERS).end(PAGE(message));
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_FORM_BYTES) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => resolve(undefined));
  });
}

/**
 * Handles `/login` and `?token=`; returns true when it answered. Call it only
 * when auth is enabled and the request has no valid credentials (or is /login).
 */
export async function handleLogin(auth: Auth, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === '/login') {
    if (req.method === 'POST') {
      const form = await readForm(req);
      if (!form) {
        res.writeHead(413, { ...PAGE_HEADERS, connection: 'close' }).end(PAGE('The form was too large.'));
        return true;
      }
      if (!auth.checkToken(form.get('token') ?? '')) {
        sendLoginPage(res, 'Wrong token.');
        return true;
      }
      res.writeHead(303, { location: '/', 'set-cookie': cookie(auth, req), 'cache-control': 'no-store' }).end();
      return true;
    }
    sendLoginPage(res);
    return true;
  }
  const token = url.searchParams.get('token');
  if (token !== null && (req.method === 'GET' || req.method === 'HEAD')) {
    if (!auth.checkToken(token)) {
      sendLoginPage(res, 'Wrong token.');
      return true;
    }
    url.searchParams.delete('token');
    const rest = url.searchParams.toString();
    // One leading slash only: `//host` would be a redirect to another site.
    const target = `/${url.pathname.replace(/^[/\\]+/, '')}${rest ? `?${rest}` : ''}`;
    res.writeHead(303, { location: target, 'set-cookie': cookie(auth, req), 'cache-control': 'no-store' }).end();
    return true;
  }
  return false;
}
