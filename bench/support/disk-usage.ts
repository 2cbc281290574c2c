/**
 * Disk per stored span (issue 12: ≤ 150 bytes): the explorer's whole data
 * directory, read once the explorer has stopped cleanly, divided by the spans
 * its store holds. After a clean stop SQLite has checkpointed the WAL into the
 * database file and removed it (https://www.sqlite.org/wal.html: "when the last
 * connection to a database closes, that connection does one last checkpoint
 * and then deletes the WAL"), so the directory is what the data costs at rest.
 * The store's own `dbBytes` (/api/tw/status) is the database's pages only —
 * no WAL, no other files — and is kept beside it as a cross-check.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Figure } from '../lib.ts';
import type { ExplorerProcess } from './explorer-process.ts';

export const TARGET_BYTES_PER_SPAN = 150;

/** Apparent size (file lengths, not blocks allocated) of every file under `dir`, skipping names in `skip`. */
export function dirBytes(dir: string, skip: string[] = []): { bytes: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  let bytes = 0;
  // Own recursion: readdirSync's `recursive` and Dirent.parentPath need Node 20.12, the engines field says 20.6.
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const file = path.join(at, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile() && !skip.includes(entry.name)) {
        const size = fs.statSync(file).size;
        files[path.relative(dir, file)] = size;
        bytes += size;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

export interface Footprint {
  /** Spans the store holds (/api/tw/status `spans`: the sum of span_count over stored traces). */
  spans: number;
  /** The store's dbBytes before the stop (database pages, no WAL), when read. */
  dbBytes?: number;
  /** The data directory after the clean stop. */
  dirBytes: number;
  files: Record<string, number>;
  bytesPerSpan: number;
  /** The explorer's exit code, when this bench stopped it. */
  exitCode?: number | null;
}

/** Reads the store's status, stops the explorer (SIGTERM: it closes the store) and measures `dataDir`. */
export async function stopAndMeasure(explorer: ExplorerProcess, dataDir: string): Promise<Footprint> {
  const status = (await (await fetch(`${explorer.url}/api/tw/status`)).json()) as { spans: number; dbBytes: number };
  const exitCode = await explorer.stop();
  const { bytes, files } = dirBytes(dataDir);
  return { spans: status.spans, dbBytes: status.dbBytes, dirBytes: bytes, files, bytesPerSpan: bytes / status.spans, exitCode };
}

/** A cached data set of the query bench (its explorer already stopped): the directory but its meta.json. */
export function datasetFootprint(dir: string, spans: number): Footprint {
  const { bytes, files } = dirBytes(dir, ['meta.json']);
  return { spans, dirBytes: bytes, files, bytesPerSpan: bytes / spans };
}

/** One row: this explorer's bytes per span against the target, the baseline's from the same run beside it. */
export function diskFigure(name: string, now: Footprint, before?: Footprint, baselineLabel?: string): Figure {
  const v = now.bytesPerSpan;
  const wal = Object.keys(now.files).some((f) => f.endsWith('-wal') && (now.files[f] ?? 0) > 0);
  const stop = now.exitCode === undefined ? '' : ` after a clean stop (exit ${now.exitCode})`;
  const notes = [
    `data directory ${(now.dirBytes / 2 ** 20).toFixed(1)} MiB${stop}${wal ? ', a WAL remained' : ''} / ${now.spans} spans stored`,
  ];
  if (now.dbBytes !== undefined) notes.push(`the store's dbBytes ${(now.dbBytes / now.spans).toFixed(0)} bytes/span`);
  if (v > TARGET_BYTES_PER_SPAN) notes.push(`${(v - TARGET_BYTES_PER_SPAN).toFixed(0)} bytes (x${(v / TARGET_BYTES_PER_SPAN).toFixed(2)}) over`);
  if (before && baselineLabel) notes.push(`baseline = ${baselineLabel}, ${before.spans} spans`);
  return {
    case: name,
    value: v,
    unit: 'bytes/span',
    ...(before ? { baseline: before.bytesPerSpan, ratio: v / before.bytesPerSpan } : {}),
    target: `<= ${TARGET_BYTES_PER_SPAN} bytes/span`,
    met: v <= TARGET_BYTES_PER_SPAN,
    note: notes.join('; '),
  };
}
