/**
 * One explorer per data directory: two writers appending to the same segment
 * files would interleave their records. The lock is a file holding the owner's
 * pid, created exclusively; one left by a process that is gone (a crash, a
 * SIGKILL) is taken over. A pid reused by an unrelated process after a crash
 * keeps the directory locked until that file is removed, which the message says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StoreUnavailableError } from '../store.ts';

const LOCK = 'LOCK';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DirLock {
  release(): void;
}

export function lockDir(dir: string): DirLock {
  const file = path.join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new StoreUnavailableError(
        `another explorer (pid ${owner}) is using ${dir}; stop it, or give this one another --data directory (if no such process is an explorer, remove ${file})`,
      );
    }
    // Left by a process that is gone (or by this one): take it over.
    fs.rmSync(file, { force: true });
  }
  throw new StoreUnavailableError(`could not lock ${dir}: ${file} keeps reappearing`);
}
