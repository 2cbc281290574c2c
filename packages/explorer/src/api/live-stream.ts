/**
 * One server-sent-events stream (https://html.spec.whatwg.org/multipage/server-sent-events.html)
 * and the bound on how many are open. A stream sends a comment every
 * `heartbeatMs` (so proxies and the API's 60 s idle timeout keep it, and a
 * client that went away is noticed by the failed write), and ends when the
 * client goes, the explorer closes, or a write fails.
 */
import type http from 'node:http';

export interface LiveLimits {
  /** Streams open at once across all clients; the next one gets 503 + Retry-After. */
  maxClients: number;
  /** A `: ping` comment this often. */
  heartbeatMs: number;
  /** A stream re-runs its query (or tells of a trace's new spans) at most this often. */
  minIntervalMs: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = { maxClients: 32, heartbeatMs: 15_000, minIntervalMs: 1_000 };

/** Tells the browser how long to wait before reconnecting after the stream drops (SSE `retry:` field). */
const RECONNECT_MS = 3_000;

export class LiveStream {
  private closed = false;
  private readonly cleanups: Array<() => void> = [];

  constructor(private readonly res: http.ServerResponse, heartbeatMs: number) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Tells nginx not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    const beat = setInterval(() => this.write(': ping\n\n'), heartbeatMs);
    beat.unref();
    this.cleanups.push(() => clearInterval(beat));
    res.on('close', () => this.close());
    // The API server answers half-closed requests (server.ts), so a client that stops sending
    // (FIN) is not a closed response: for a stream that never ends by itself, it means "gone".
    const socket = res.socket;
    const gone = () => this.close();
    socket?.once('end', gone);
    this.cleanups.push(() => socket?.off('end', gone));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Runs when the stream ends, whoever ends it. */
  onClose(cleanup: () => void): void {
    if (this.closed) cleanup();
    else this.cleanups.push(cleanup);
  }

  /** One event; `data` is JSON on one line (JSON.stringify escapes newlines). */
  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.cleanups.splice(0)) c();
    this.res.end();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    try {
      this.res.write(chunk);
    } catch {
      this.close();
    }
  }
}

/**
 * Coalesces "something changed" into at most one run per `minIntervalMs`:
 * a burst of writes costs one query, and a run never overlaps the previous one.
 */
export function throttled(run: () => Promise<void>, minIntervalMs: number): { poke(): void; stop(): void } {
  let pending = false;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  let stopped = false;
  const fire = (): void => {
    timer = undefined;
    if (stopped || running) return;
    pending = false;
    running = true;
    last = Date.now();
    run().finally(() => {
      running = false;
      if (pending) schedule();
    });
  };
  const schedule = (): void => {
    if (stopped || timer || running) return;
    timer = setTimeout(fire, Math.max(0, last + minIntervalMs - Date.now()));
  };
  return {
    poke() {
      pending = true;
      schedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
