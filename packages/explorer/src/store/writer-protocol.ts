/** Messages between SqliteStore (main thread) and its writer thread. */
import type { StoredSpan } from '../model.ts';

export interface WriterInit {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
}

export type WriterRequest =
  | { id: number; op: 'write'; groups: StoredSpan[][] }
  | { id: number; op: 'delete'; tseqs: number[] }
  | { id: number; op: 'close' };

/** Errors cross as messages: a driver's own error classes do not survive structured cloning. */
export type WriterReply =
  | { id: number; op: 'write'; errors: Array<string | undefined> }
  | { id: number; op: 'delete'; deleted: number }
  | { id: number; op: 'close' }
  | { id: number; op: 'failed'; error: string };
