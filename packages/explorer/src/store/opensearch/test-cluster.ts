/**
 * For tests: the local two-node cluster of scripts/opensearch.sh (started when not running; instant
 * when it is), and a fresh index prefix per test so tests never see each other's spans.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const SCRIPT = path.join(ROOT, 'scripts/opensearch.sh');
export const NODES = ['http://127.0.0.1:19200', 'http://127.0.0.1:19201'];

export function ensureCluster(): string[] {
  execFileSync('bash', [SCRIPT, 'start'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  return NODES;
}

let n = 0;
export function uniquePrefix(): string {
  return `twtest${process.pid}x${Date.now().toString(36)}x${n++}`;
}

/** Deletes the prefix's indices and templates. */
export async function dropPrefix(prefix: string): Promise<void> {
  for (const p of [`/${prefix}-jaeger-*`, `/_template/${prefix}-*`]) {
    await fetch(`${NODES[0]}${p}`, { method: 'DELETE' }).catch(() => undefined);
  }
}
