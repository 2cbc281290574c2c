/**
 * The writer thread: owns the database's only writing connection, so a
 * commit of 20k spans (a second or more on a busy core) never stalls the
 * receivers and the query API on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createBatchWriter, writeGroups } from './write-batch.ts';
import type { WriterInit, WriterReply, WriterRequest } from './writer-protocol.ts';

const { file, synchronous } = workerData as WriterInit;
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('busy_timeout = 5000');
const write = createBatchWriter(db);

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
}

function deleteTraces(tseqs: number[]): number {
  if (!tseqs.length) return 0;
  const json = JSON.stringify(tseqs);
  db.transaction(() => {
    for (const table of ['chunks', 'trace_ops', 'attrs', 'traces']) {
      db.prepare(`DELETE FROM ${table} WHERE tseq IN (SELECT value FROM json_each(?))`).run(json);
    }
  })();
  // Give freed pages back to the file system a little at a time.
  db.pragma('incremental_vacuum(2000)');
  return tseqs.length;
}

function handle(req: WriterRequest): WriterReply {
  switch (req.op) {
    case 'write':
      return { id: req.id, op: 'write', errors: writeGroups(write, req.groups).map((e) => e && describe(e)) };
    case 'delete':
      return { id: req.id, op: 'delete', deleted: deleteTraces(req.tseqs) };
    case 'close':
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      return { id: req.id, op: 'close' };
  }
}

const port = parentPort;
if (!port) throw new Error('writer-worker.ts runs as a worker thread');
port.on('message', (req: WriterRequest) => {
  let reply: WriterReply;
  try {
    reply = handle(req);
  } catch (err) {
    reply = { id: req.id, op: 'failed', error: describe(err) };
  }
  port.postMessage(reply);
  if (req.op === 'close') port.close();
});
