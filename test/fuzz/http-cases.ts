/**
 * Generated HTTP/1.1 requests, as bytes, for fuzzing a listener over raw TCP.
 * A seeded PRNG makes every run reproducible. Kinds, roughly by weight: API
 * and UI requests with hostile parameter values, hostile targets (raw bytes,
 * NUL, CR/LF, `//authority`, absolute-form), odd methods and versions, header
 * mutations (no/duplicate/foreign Host, oversized, NUL, obs-fold, smuggling
 * pairs of Content-Length and Transfer-Encoding), bodies (on a GET, broken
 * chunking, short), truncated requests, pipelined requests and random bytes.
 */

import type { Rng } from '../support/prng.ts';

const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)] as T;
const repeat = (s: string, n: number) => s.repeat(Math.max(0, n));

const ROUTES = [
  '/api/services',
  '/api/services/{x}/operations',
  '/api/operations',
  '/api/traces',
  '/api/traces/{x}',
  '/api/dependencies',
  '/api/tw/search',
  '/api/tw/traces/{x}',
  '/api/tw/traces/{x}/otlp',
  '/api/tw/service-map',
  '/api/tw/status',
  '/api/{x}',
  '/',
  '/search',
  '/map',
  '/trace/{x}',
  '/assets/{x}',
  '/login',
  '/{x}',
  '/index.html/{x}',
] as const;

const PARAMS = [
  'service', 'operation', 'attr', 'kind', 'status', 'q', 'minDuration', 'maxDuration', 'start', 'end', 'lookback',
  'limit', 'offset', 'sort', 'tags', 'tag', 'traceID', 'spanKind', 'endTs', 'token', 'x', '__proto__', 'constructor',
] as const;

/** Values, already percent-encoded where they need to be. */
function value(rng: Rng): string {
  switch (int(rng, 16)) {
    case 0:
      return pick(rng, ['9'.repeat(int(rng, 60) + 1), `-${int(rng, 1e9)}`, '9223372036854775807', '9223372036854775808', '18446744073709551616', '1e308', 'NaN', 'Infinity', '0x10', '1.5', '00000000000000000001']);
    case 1:
      return `${pick(rng, ['1', '1.5', '0.000000001', '9'.repeat(int(rng, 40) + 1), '106751', '106752', ''])}${pick(rng, ['ns', 'us', '%C2%B5s', 'ms', 's', 'm', 'h', 'd', 'y', ''])}`;
    case 2:
      return pick(rng, ['0000-01-01T00:00:00Z', '275760-09-13T00:00:00Z', '2024-02-30T25:61:61Z', '1970-01-01', '2262-04-12T00:00:00Z', 'yesterday', 'custom']);
    case 3:
      return pick(rng, ["'%20OR%201%3D1--", '%22%3B%20DROP%20TABLE%20traces%3B--', '%25', '_', '%5C', '*', 'a%3Db*', '!a', '%3D', '!', '%7B%7D', '%7Bnope', '%5B1%2C2%5D']);
    case 4:
      return pick(rng, ['%00', 'a%00b', '%0d%0aset-cookie:%20x%3D1', '%ff%fe', '%c0%ae', '%ed%a0%80', '%e2%80%ae', '%F0%9F%92%A9', '%', '%zz', '%2', '%%']);
    case 5:
      return repeat(pick(rng, ['x', '%41', '%ff', 'a%3D']), int(rng, 1200) + 1000);
    case 6:
      return encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: int(rng, 24) }, (_, i) => [`k${i}`, pick(rng, ['v', 1, true, null, { a: 1 }, []])]))));
    case 7:
      return encodeURIComponent(Array.from({ length: int(rng, 24) }, (_, i) => `k${i}=${pick(rng, ['v', '"two words"', '"unterminated', '=', ''])}`).join(' '));
    case 8:
      return pick(rng, ['server', 'client', 'producer', 'consumer', 'internal', 'SERVER', 'error', 'any', 'recent', 'longest', 'spans']);
    case 9:
      return hexId(rng);
    default:
      return pick(rng, ['a', 'fuzz-api', 'GET%20%2Forders', 'http.route%3D%2Fapi%2Forders%2F%7Bid%7D', 'retries%3D3', '1h', '20', '0', '']);
  }
}

function hexId(rng: Rng): string {
  return Array.from({ length: int(rng, 40) }, () => pick(rng, [...'0123456789abcdefABCDEFg'])).join('');
}

function pathPart(rng: Rng): string {
  return pick(rng, [hexId(rng), value(rng), '..', '%2e%2e', '..%2f..%2f', '%2f', '%5c', 'index.html', 'app.js', repeat('a', int(rng, 400)), '%00.js']);
}

function target(rng: Rng): string {
  const route = pick(rng, ROUTES).replace('{x}', () => pathPart(rng));
  const n = rng() < 0.1 ? int(rng, 300) : int(rng, 6);
  const query = Array.from({ length: n }, () => `${pick(rng, PARAMS)}=${value(rng)}`).join('&');
  return query ? `${route}?${query}` : route;
}

/** Targets no HTTP client would send. */
function hostileTarget(rng: Rng, port: number): string {
  return pick(rng, [
    `//x:${int(rng, 99999)}`,
    `//evil.example${target(rng)}`,
    `/\\evil.example/`,
    `http://[::1${target(rng)}`,
    `http://localhost:${port}${target(rng)}`,
    `http://evil.example${target(rng)}`,
    `https://x:99999/`,
    `ftp://x/`,
    '*',
    '',
    `${target(rng)}#frag`,
    `${target(rng)} HTTP/1.1\r\nx-injected: 1`,
    `/${Buffer.from(Array.from({ length: int(rng, 40) }, () => int(rng, 256))).toString('latin1')}`,
    `/%00${target(rng)}`,
    target(rng).replace(/\//g, '\\'),
    `/${repeat('a', 17_000)}`,
  ]);
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'G ET', 'PROPFIND', 'BREW', ''];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.10', 'HTTP/1', 'http/1.1', ''];

function headers(rng: Rng, port: number): string[] {
  const host = rng() < 0.85 ? [`host: ${pick(rng, [`127.0.0.1:${port}`, 'localhost', `[::1]:${port}`, 'app.localhost'])}`] : [];
  const extra: string[] = [];
  for (let i = int(rng, 4); i > 0; i--) {
    extra.push(
      pick(rng, [
        'host: evil.example',
        `host: localhost\r\nhost: evil.example`,
        'host: ',
        'host: localhost:99999999',
        `x-pad: ${repeat('p', int(rng, 20_000))}`,
        'x-nul: a\u0000b',
        'x-fold: a\r\n  folded',
        'bad header: x',
        ': empty-name',
        'content-length: 5',
        'content-length: -1',
        'content-length: 99999999999999999999',
        'content-length: 1\r\ncontent-length: 2',
        'transfer-encoding: chunked',
        'transfer-encoding: gzip, chunked',
        'transfer-encoding: chunked\r\ncontent-length: 4',
        'expect: 100-continue',
        'expect: teapot',
        'connection: keep-alive',
        'connection: upgrade\r\nupgrade: websocket',
        'authorization: Bearer x',
        'cookie: tracewire_session=%00',
        `origin: https://evil.example`,
        'accept-encoding: gzip',
        `x-utf8: ${Buffer.from([0xff, 0xfe, 0xc0, 0xae]).toString('latin1')}`,
      ]),
    );
  }
  return [...host, ...extra];
}

function body(rng: Rng): string {
  return pick(rng, ['', 'x', 'token=abc', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\nbad\r\n', '5\r\nhel', repeat('b', int(rng, 70_000)), '0\r\n\r\n']);
}

function request(rng: Rng, port: number, t: string = target(rng)): string {
  const method = pick(rng, METHODS);
  const version = pick(rng, VERSIONS);
  const line = [method, t, version].filter((p) => p !== '').join(' ');
  return `${line}\r\n${headers(rng, port).map((h) => `${h}\r\n`).join('')}${rng() < 0.7 ? 'connection: close\r\n' : ''}\r\n${rng() < 0.25 ? body(rng) : ''}`;
}

function validGet(rng: Rng, port: number): string {
  return `${rng() < 0.9 ? 'GET' : 'HEAD'} ${target(rng)} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`;
}

export interface FuzzCase {
  kind: string;
  bytes: Buffer;
}

export function generateCase(rng: Rng, port: number): FuzzCase {
  const roll = rng();
  if (roll < 0.4) return { kind: 'api/ui request', bytes: Buffer.from(validGet(rng, port), 'latin1') };
  if (roll < 0.55) return { kind: 'hostile target', bytes: Buffer.from(request(rng, port, hostileTarget(rng, port)), 'latin1') };
  if (roll < 0.75) return { kind: 'mutated request', bytes: Buffer.from(request(rng, port), 'latin1') };
  if (roll < 0.85) {
    const full = Buffer.from(request(rng, port), 'latin1');
    return { kind: 'truncated', bytes: full.subarray(0, int(rng, full.length)) };
  }
  if (roll < 0.93) {
    const n = 2 + int(rng, 3);
    const parts = Array.from({ length: n }, (_, i) => (i === n - 1 ? validGet(rng, port) : validGet(rng, port).replace('connection: close\r\n', '')));
    return { kind: 'pipelined', bytes: Buffer.from(parts.join(''), 'latin1') };
  }
  return { kind: 'random bytes', bytes: Buffer.from(Array.from({ length: int(rng, 600) }, () => int(rng, 256))) };
}
