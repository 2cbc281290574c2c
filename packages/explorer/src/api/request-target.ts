/**
 * The request target (RFC 9112 §3.2) as a URL, or undefined when it is not
 * one this server answers (400):
 *
 * - origin-form `/path?query`: read relative to a fixed origin, so a target
 *   never names a host. One that starts `//` (or `/\`) is refused: WHATWG URL
 *   parsers read it as an authority (`//x:99999` made `new URL` throw), and
 *   no page of the UI or route of the API starts that way;
 * - absolute-form `http(s)://host/path` (§3.2.2: servers must accept it; the
 *   host check reads its authority);
 * - asterisk-form `*`, for OPTIONS only (§3.2.4).
 */
const BASE = 'http://localhost';

export function parseRequestTarget(raw: string | undefined, method: string | undefined): URL | undefined {
  if (raw === undefined) return undefined;
  if (raw === '*') return method === 'OPTIONS' ? new URL(`${BASE}/`) : undefined;
  let url: URL;
  try {
    if (raw.startsWith('/')) url = new URL(`${BASE}${raw}`);
    else if (/^https?:\/\//i.test(raw)) url = new URL(raw);
    else return undefined;
  } catch {
    return undefined;
  }
  return url.pathname.startsWith('//') ? undefined : url;
}
