/**
 * The `operations` table behind the service and operation pickers, bounded: a
 * client that names every span differently (an id in the span name) or sends a
 * million service names must not grow the table, the pickers' answers or the
 * memory without end. Operations beyond a cap are still stored per trace
 * (`trace_ops`) and searchable; they are only not listed. Retention removes an
 * operation once no stored trace has it, which makes room again.
 */
import type Database from 'better-sqlite3';
import type { StoreLimits } from './store-limits.ts';

export interface SeenOperation {
  service: string;
  name: string;
  kind: number;
  lastSeenNs: bigint;
}

export interface OperationCatalog {
  /** Inside the write transaction: records each operation unless a cap is reached. */
  record(ops: Iterable<SeenOperation>): void;
  /** Inside the delete transaction, after the traces' `trace_ops` rows are gone: forgets operations no trace has any more. */
  forget(ops: Iterable<Omit<SeenOperation, 'lastSeenNs'>>): void;
  /** Re-reads the counts (after a rollback, whose inserts did not happen). */
  reload(): void;
}

type Caps = Pick<StoreLimits, 'maxOperationsPerService' | 'maxServices' | 'maxOperations'>;

export function createOperationCatalog(db: Database.Database, caps: Caps): OperationCatalog {
  const touch = db.prepare('UPDATE operations SET last_seen_ns = max(last_seen_ns, ?) WHERE service = ? AND name = ? AND kind = ?');
  const insert = db.prepare('INSERT INTO operations (service, name, kind, last_seen_ns) VALUES (?, ?, ?, ?)');
  const remove = db.prepare(
    `DELETE FROM operations WHERE service = @service AND name = @name AND kind = @kind
       AND NOT EXISTS (SELECT 1 FROM trace_ops WHERE service = @service AND name = @name AND kind = @kind)`,
  );
  const countAll = db.prepare('SELECT service, count(*) AS n FROM operations GROUP BY service');
  // Operations listed per service; the table holds at most maxOperations rows, so this is small.
  let perService = new Map<string, number>();
  let total = 0;

  const reload = () => {
    perService = new Map();
    total = 0;
    for (const r of countAll.all() as Array<{ service: string; n: number }>) {
      perService.set(r.service, r.n);
      total += r.n;
    }
  };
  reload();

  return {
    record(ops) {
      for (const op of ops) {
        if (touch.run(op.lastSeenNs, op.service, op.name, op.kind).changes > 0) continue;
        const listed = perService.get(op.service);
        if (total >= caps.maxOperations) continue;
        if (listed === undefined ? perService.size >= caps.maxServices : listed >= caps.maxOperationsPerService) continue;
        insert.run(op.service, op.name, op.kind, op.lastSeenNs);
        perService.set(op.service, (listed ?? 0) + 1);
        total++;
      }
    },
    forget(ops) {
      for (const op of ops) {
        if (remove.run({ service: op.service, name: op.name, kind: op.kind }).changes === 0) continue;
        total--;
        const left = (perService.get(op.service) ?? 1) - 1;
        if (left > 0) perService.set(op.service, left);
        else perService.delete(op.service);
      }
    },
    reload,
  };
}
