/** Messages between `WorkerSpanExporter` and its worker thread (export-worker.ts). */

export interface WorkerSettings {
  /** Full OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces. */
  url: string;
  timeoutMillis: number;
}

export type ToWorker =
  | {
      kind: 'export';
      id: number;
      /** Transferred (not copied) to the worker: the main thread never touches it again. */
      buffer: ArrayBuffer;
      byteOffset: number;
      byteLength: number;
      spans: number;
    }
  | { kind: 'shutdown' };

export type FromWorker = { kind: 'exported'; id: number; ok: boolean; error: string | undefined } | { kind: 'stopped' };
