/**
 * DNS-rebinding guard for the listeners a browser can reach (UI/API and
 * OTLP/HTTP). Without a token the explorer trusts whoever can reach
 * 127.0.0.1, but a web page on `evil.example` can re-point its own name at
 * 127.0.0.1 and then read `http://evil.example:16686/api/...` as if it were
 * same-origin, or post spans to port 4318. The browser still sends
 * `Host: evil.example`, so the listeners answer only requests addressed to:
 *
 * - `localhost` and any `*.localhost` name (RFC 6761 §6.3: these resolve to
 *   loopback, and browsers never ask DNS for them, so they cannot be rebound);
 * - an IP address literal (a rebinding page's Host is its DNS name, never an
 *   address);
 * - a host the operator allowed (`--allowed-host`, `TRACEWIRE_ALLOWED_HOSTS`):
 *   an exact name, or `.corp.example` for that domain and its subdomains.
 *
 * This is what Vite (`server.allowedHosts`) and Jupyter (`local_hostnames`)
 * do. With a token the token is the guard and every Host is answered
 * (`Auth.allowsHost`). Other answers: 403 with a message saying how to allow
 * a name.
 */
import type http from 'node:http';
import net from 'node:net';

export class HostConfigError extends Error {
  override name = 'HostConfigError';
}

const NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

/**
 * Validates allowed-host entries (case-insensitive, a trailing dot ignored).
 * @example parseAllowedHosts(['tracewire.internal', '.corp.example'])
 */
export function parseAllowedHosts(values: readonly string[]): string[] {
  return values.map((raw) => {
    const v = raw.trim().toLowerCase().replace(/\.$/, '');
    const name = v.startsWith('.') ? v.slice(1) : v;
    if (!NAME.test(name)) {
      throw new HostConfigError(
        `allowed host ${JSON.stringify(raw)} is not a host name (--allowed-host / TRACEWIRE_ALLOWED_HOSTS): ` +
          'give a name like tracewire.internal, or .corp.example for that domain and its subdomains; no scheme, port or wildcard',
      );
    }
    return v;
  });
}

/**
 * The host name of a Host header or URL authority: lower-case, without port,
 * brackets or a trailing dot; undefined when it is not a valid authority.
 */
export function hostName(authority: string): string | undefined {
  const a = authority.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(a);
  if (v6) return net.isIPv6(v6[1] as string) ? (v6[1] as string) : undefined;
  const m = /^([^:]*)(?::\d{1,5})?$/.exec(a);
  const name = m?.[1]?.replace(/\.$/, '');
  return name && NAME.test(name) ? name : undefined;
}

/** Whether a request addressed to `name` (from `hostName`) is answered without a token. */
export function isAllowedHost(name: string | undefined, allowed: readonly string[]): boolean {
  if (name === undefined) return false;
  if (net.isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.some((a) => (a.startsWith('.') ? name === a.slice(1) || name.endsWith(a) : name === a));
}

/**
 * Where the request is addressed: an absolute-form target's authority (RFC
 * 9112 §3.2.2: it wins over Host), else the Host header; undefined when
 * neither is present (HTTP/1.0, which no browser sends).
 */
export function requestAuthority(req: http.IncomingMessage): string | undefined {
  const abs = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#]*)/i.exec(req.url ?? '');
  if (abs) return abs[1];
  return req.headers.host;
}

/** What decides: `Auth.allowsHost` (loopback names only when no auth is given). */
export interface HostPolicy {
  allowsHost(authority: string | undefined): boolean;
}

/** Loopback names and IP addresses only: the policy when nothing else was configured. */
export const LOOPBACK_ONLY: HostPolicy = {
  allowsHost: (authority) => authority === undefined || isAllowedHost(hostName(authority), []),
};

/**
 * Answers 403 and returns true when the request is addressed to a host this
 * explorer does not answer; call it first in every request handler.
 * @example
 * if (refuseForeignHost(opts.auth, req, res)) return;
 */
export function refuseForeignHost(policy: HostPolicy | undefined, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const authority = requestAuthority(req);
  if ((policy ?? LOOPBACK_ONLY).allowsHost(authority)) return false;
  const shown = JSON.stringify((authority ?? '').slice(0, 100));
  res.writeHead(403, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The body (an OTLP export, say) is not read: close instead of draining it.
    connection: 'close',
  });
  res.end(
    JSON.stringify({
      error:
        `this explorer answers requests addressed to localhost or an IP address, not ${shown} ` +
        '(a web page could otherwise reach it through DNS rebinding). To use that name, start the explorer with ' +
        '--allowed-host NAME (or TRACEWIRE_ALLOWED_HOSTS=NAME,...), or protect it with a token (--token / TRACEWIRE_TOKEN).',
    }),
  );
  return true;
}
