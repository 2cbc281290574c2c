/**
 * HTTP/1.1 over a bare TCP socket, for requests no HTTP client would send
 * (`GET //x:99999`, NUL bytes, broken chunking, CR/LF in odd places). The
 * bytes go out as given; the answer is read until the server closes the
 * connection and its first response is parsed.
 */
import net from 'node:net';

export interface RawResponse {
  /** Status of the first response; undefined when the server closed without answering. */
  status: number | undefined;
  headers: Record<string, string>;
  /** Body of the first response (de-chunked). */
  body: string;
  /** True when the server did not close the connection within `timeoutMs` (the socket was destroyed). */
  timedOut: boolean;
  /** Every byte the server sent. */
  raw: Buffer;
  /** The socket error's code, if any (ECONNRESET after an early answer is normal; ECONNREFUSED means nobody listens). */
  error?: string;
}

export interface RawOptions {
  timeoutMs?: number;
  /** End our side after writing, so a truncated request is seen as truncated (default true). */
  halfClose?: boolean;
}

/** Sends `data` and resolves once the server closed the connection (or after `timeoutMs`). */
export function rawRequest(port: number, data: string | Buffer | Array<string | Buffer>, opts: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timedOut = false;
    let error: string | undefined;
    const socket = net.connect(port, '127.0.0.1', () => {
      for (const part of Array.isArray(data) ? data : [data]) socket.write(part);
      if (opts.halfClose !== false) socket.end();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, opts.timeoutMs ?? 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after the answer (the server closed while we were still writing) is not a failure here.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error ??= err.code ?? err.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      resolve({ ...parseFirstResponse(raw), timedOut, raw, ...(error !== undefined ? { error } : {}) });
    });
  });
}

/** `GET target` with `Host: localhost` (or the given headers) and `Connection: close`. */
export function rawGet(port: number, target: string, headers: Record<string, string> = { host: 'localhost' }, method = 'GET'): Promise<RawResponse> {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return rawRequest(port, `${method} ${target} HTTP/1.1\r\n${lines.join('')}connection: close\r\n\r\n`);
}

export function parseFirstResponse(raw: Buffer): Pick<RawResponse, 'status' | 'headers' | 'body'> {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!m || end < 0) return { status: undefined, headers: {}, body: '' };
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let rest = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  let body: Buffer;
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const nl = rest.indexOf('\r\n');
      const size = nl < 0 ? 0 : Number.parseInt(rest.subarray(0, nl).toString('latin1'), 16);
      if (!size) break;
      parts.push(rest.subarray(nl + 2, nl + 2 + size));
      rest = rest.subarray(nl + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    body = rest.subarray(0, Number(headers['content-length']));
  } else {
    body = rest;
  }
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}
