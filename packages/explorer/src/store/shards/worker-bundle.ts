/**
 * The shard worker as one plain JavaScript module. A worker started on the TypeScript sources
 * needs tsx's module loader, and on Node 20 each worker registers its own, with a thread and a
 * V8 heap of its own: 45 MiB a shard idle, against 18 MiB for a bundle (docs/performance.md,
 * section 3, fifth pass). esbuild builds it once per process (~80 ms) into node_modules/.cache,
 * where the bundle's package imports resolve as the sources' do; a file named by its content's
 * hash is written once and shared by every explorer of that tree. Should the build fail, the
 * workers load the sources through tsx as before.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SOURCE = fileURLToPath(new URL('./shard-worker.ts', import.meta.url));

let bundle: Promise<URL | undefined> | undefined;
const STALE_MS = 60 * 60_000;

/** The bundle's URL, or undefined when it cannot be built (the caller then uses the sources). */
export async function shardWorkerBundle(): Promise<URL | undefined> {
  bundle ??= build().catch(() => undefined);
  const url = await bundle;
  // A shard may be started again days later: the file may have been removed since (removeStale of another tree's build).
  if (url && !fs.existsSync(url)) {
    bundle = build().catch(() => undefined);
    return bundle;
  }
  return url;
}

async function build(): Promise<URL> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({ entryPoints: [SOURCE], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', write: false, logLevel: 'silent' });
  const text = (out.outputFiles[0] as { text: string }).text;
  // esbuild lives in the node_modules the sources import from: its .cache is where those imports resolve.
  const esbuildDir = createRequire(import.meta.url).resolve('esbuild');
  const modules = esbuildDir.slice(0, esbuildDir.lastIndexOf(`${path.sep}node_modules${path.sep}`) + '/node_modules'.length);
  const dir = path.join(modules, '.cache', 'tracewire');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `shard-worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    removeStale(dir, path.basename(file));
  }
  return pathToFileURL(file);
}

/** Bundles of earlier sources, once no explorer can still be starting its workers from them (an hour on). */
export function removeStale(dir: string, keep: string, now = Date.now()): void {
  const before = now - STALE_MS;
  for (const name of fs.readdirSync(dir)) {
    if (name === keep || !/^shard-worker-[0-9a-f]{16}\.mjs(\.\d+\.tmp)?$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).mtimeMs < before) fs.rmSync(file, { force: true });
    } catch {
      // Another explorer removed it first.
    }
  }
}
