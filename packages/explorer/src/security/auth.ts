/**
 * Bearer-token access control for every listener of the explorer.
 *
 * - The explorer binds 127.0.0.1 by default. Binding any other address
 *   without a token is refused (`InsecureBindError`): trace data holds
 *   URLs, ids and sometimes personal data, and anyone who can reach the port
 *   could also write fake spans.
 * - With a token, OTLP/HTTP and the API expect `Authorization: Bearer <token>`,
 *   OTLP/gRPC the metadata `authorization: Bearer <token>` (what the SDK's
 *   exporters send from `OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<token>`).
 * - Browsers cannot add a header to page loads, so the UI trades the token for
 *   a session cookie (`POST /login` or `?token=` once; see `ui-login.ts`). The
 *   cookie holds HMAC-SHA256(token, "tracewire-ui-session-v1"), not the
 *   token itself, and is HttpOnly + SameSite=Strict.
 * - Without a token, HTTP requests must be addressed to a loopback name, an IP
 *   address or an allowed host (`allowsHost`, `host-check.ts`): otherwise a web
 *   page could reach the explorer through DNS rebinding.
 * - Every comparison hashes both sides to SHA-256 and compares the equal-length
 *   digests with `crypto.timingSafeEqual`, so neither the content nor the
 *   length of the expected value leaks through response timing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { hostName, isAllowedHost, parseAllowedHosts } from './host-check.ts';

export const SESSION_COOKIE = 'tracewire_session';
/** Short tokens can be guessed over the network; 16 characters is the floor. */
export const MIN_TOKEN_LENGTH = 16;

export class InsecureBindError extends Error {
  override name = 'InsecureBindError';
}

export class WeakTokenError extends Error {
  override name = 'WeakTokenError';
}

/** 127.0.0.0/8, ::1 and "localhost" only reach this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time string equality: equal-length digests through `timingSafeEqual`. */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

export interface Auth {
  /** False when no token is configured (loopback only): everything is allowed. */
  readonly enabled: boolean;
  /** An `Authorization` header value (`Bearer <token>`, scheme case-insensitive). */
  checkAuthorization(header: string | string[] | undefined): boolean;
  /** A raw token (from the login form or `?token=`). */
  checkToken(token: string): boolean;
  /** A `Cookie` header carrying the session cookie. */
  checkCookie(header: string | undefined): boolean;
  /** Value of the session cookie to hand out after a successful login. */
  sessionValue(): string;
  /**
   * Whether a request addressed to this Host / authority is answered (DNS-rebinding guard,
   * `host-check.ts`): always with a token; without one, loopback names, IP addresses and
   * the allowed hosts only. `undefined` (no Host at all: HTTP/1.0, never a browser) is answered.
   */
  allowsHost(authority: string | undefined): boolean;
}

function bearer(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
  return m?.[1];
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Checks the bind address against the token and builds the checker.
 * @example
 * const auth = createAuth({ host: '0.0.0.0', token: process.env.TRACEWIRE_TOKEN });
 * if (auth.enabled && !auth.checkAuthorization(req.headers.authorization)) deny();
 */
export function createAuth(opts: { host: string; token?: string | undefined; allowedHosts?: readonly string[] | undefined }): Auth {
  const token = opts.token === '' ? undefined : opts.token;
  const allowed = parseAllowedHosts(opts.allowedHosts ?? []);
  if (token === undefined) {
    if (!isLoopback(opts.host)) {
      throw new InsecureBindError(
        `refusing to listen on ${opts.host} without a token: anyone who can reach it could read and write traces. ` +
          'Set TRACEWIRE_TOKEN (or --token) to a secret of at least 16 characters, or keep the default --host 127.0.0.1.',
      );
    }
    return {
      enabled: false,
      checkAuthorization: () => true,
      checkToken: () => true,
      checkCookie: () => true,
      sessionValue: () => '',
      allowsHost: (authority) => authority === undefined || isAllowedHost(hostName(authority), allowed),
    };
  }
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new WeakTokenError(`the token must be at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. \`openssl rand -hex 32\`)`);
  }
  const session = createHmac('sha256', token).update('tracewire-ui-session-v1').digest('hex');
  return {
    enabled: true,
    // Hash even when the header is missing, so a missing header costs what a wrong one does.
    checkAuthorization: (header) => safeEqual(bearer(header) ?? '', token) && bearer(header) !== undefined,
    checkToken: (given) => safeEqual(given, token),
    checkCookie: (header) => {
      const v = cookieValue(header, SESSION_COOKIE);
      return safeEqual(v ?? '', session) && v !== undefined;
    },
    sessionValue: () => session,
    // The token guards every request, whatever name it was sent to.
    allowsHost: () => true,
  };
}

/** 401 for machine clients: a JSON body with no data, and the scheme to use. */
export function sendUnauthorizedJson(res: http.ServerResponse): void {
  res.writeHead(401, {
    'content-type': 'application/json; charset=utf-8',
    'www-authenticate': 'Bearer realm="tracewire"',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.end(JSON.stringify({ error: 'unauthorized: send Authorization: Bearer <token>' }));
}
