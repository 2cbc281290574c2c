import type http from 'node:http';

/**
 * A client that half-closes after its request (`printf ... | nc`, some scripts and proxies)
 * still gets its answer. By default Node aborts every request whose answer is not written when
 * the client's FIN arrives, which is any answer that waits on the store (a durable write, a
 * file read). `httpAllowHalfOpen` is an undocumented but long-standing http.Server flag; with
 * it the server ends the connection once that answer is sent. Streams that never end by
 * themselves must watch for the FIN (api/live-stream.ts does).
 */
export function answerHalfClosedRequests(server: http.Server): void {
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
}
