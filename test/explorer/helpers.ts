/** Shared helpers for explorer tests: a started explorer on ephemeral ports in a temp dir. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Explorer, type ExplorerOptions, startExplorer } from '../../packages/explorer/src/index.ts';

export function tempDir(prefix = 'tw-explorer-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestExplorer(opts: ExplorerOptions = {}): Promise<Explorer & { dataDir: string }> {
  const dataDir = opts.dataDir ?? tempDir();
  const ex = await startExplorer({ grpcPort: 0, httpPort: 0, uiPort: 0, ...opts, dataDir, onError: opts.onError ?? (() => undefined) });
  return Object.assign(ex, { dataDir });
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** OTLP/JSON request for hand-built spans. */
export function otlpJson(spans: Array<Record<string, unknown>>, service = 'svc', resourceAttrs: Array<Record<string, unknown>> = []) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, ...resourceAttrs] },
        scopeSpans: [{ scope: { name: 'test', version: '1.0.0' }, spans }],
      },
    ],
  };
}

export async function postJson(port: number, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function hex(n: number, len: number): string {
  return n.toString(16).padStart(len, '0');
}
