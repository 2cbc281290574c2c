/**
 * SQLite (better-sqlite3) with a CLIENT span per statement, following the
 * database conventions: `db.system.name`, `db.operation.name`,
 * `db.collection.name`, `db.query.text` (the parameterised SQL, so literal
 * values never reach the trace). https://opentelemetry.io/docs/specs/semconv/database/database-spans/
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SpanKind } from '@opentelemetry/api';
import { type WithSpanOptions, withSpan } from '@tracewire/tracing';

export type SqlParams = Record<string, unknown> | unknown[];

interface PreparedSql {
  /** Compiled on first use, inside that use's span, so a statement that does not compile is an ERROR span. */
  statement: Database.Statement | undefined;
  name: string;
  options: WithSpanOptions;
}

export interface TracedDb {
  /** The underlying connection, for untraced housekeeping (schema, relay polling). */
  readonly raw: Database.Database;
  run(sql: string, params?: SqlParams): Database.RunResult;
  get<T>(sql: string, params?: SqlParams): T | undefined;
  all<T>(sql: string, params?: SqlParams): T[];
  /** Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** Opens (creating if needed) `file` in WAL mode and applies `schema`. */
export function openDatabase(file: string, schema: string): TracedDb {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  const namespace = path.basename(file);
  // A service runs a handful of SQL texts many times: each is parsed for its span name, given its
  // (constant) span attributes and compiled once, not on every call. The SDK copies the attributes
  // into each span, so sharing one frozen object is safe.
  const statements = new Map<string, PreparedSql>();
  const entryFor = (sql: string): PreparedSql => {
    let prepared = statements.get(sql);
    if (!prepared) {
      const { operation, collection } = describeSql(sql);
      prepared = {
        statement: undefined,
        name: collection ? `${operation} ${collection}` : operation,
        options: Object.freeze({
          kind: SpanKind.CLIENT,
          attributes: Object.freeze({
            'db.system.name': 'sqlite',
            'db.namespace': namespace,
            'db.operation.name': operation,
            'db.query.text': sql,
            ...(collection ? { 'db.collection.name': collection } : {}),
          }),
        }),
      };
      statements.set(sql, prepared);
    }
    return prepared;
  };

  const traced = <T>(sql: string, exec: (statement: Database.Statement) => T): T => {
    const prepared = entryFor(sql);
    return withSpan(prepared.name, prepared.options, () => exec((prepared.statement ??= db.prepare(sql))));
  };
  const args = (params: SqlParams | undefined): unknown[] => (params === undefined ? [] : [params]);

  return {
    raw: db,
    run: (sql, params) => traced(sql, (s) => s.run(...args(params))),
    get: <T>(sql: string, params?: SqlParams) => traced(sql, (s) => s.get(...args(params)) as T | undefined),
    all: <T>(sql: string, params?: SqlParams) => traced(sql, (s) => s.all(...args(params)) as T[]),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => db.close(),
  };
}

/** Operation (`INSERT`) and table (`orders`) of a statement, for span names. */
export function describeSql(sql: string): { operation: string; collection: string | undefined } {
  const text = sql.trim();
  const operation = (/^(\w+)/.exec(text)?.[1] ?? 'QUERY').toUpperCase();
  const table = /\b(?:INTO|FROM|UPDATE|TABLE)\s+["`]?(\w+)/i.exec(text)?.[1];
  return { operation, collection: table };
}
