/**
 * A resource (the same attribute set from every export of a process) is
 * indexed once, under its `rid`; a trace gets one `trace_resources` row per
 * resource instead of one index row per resource attribute, which was the
 * larger share of the index rows written per span.
 */
import type Database from 'better-sqlite3';
import { type Resource, valueToString } from '../model.ts';
import { INDEXED_VALUE_CHARS } from './schema.ts';

/** Resource ids remembered across batches; past this many distinct resources the memory starts over. */
const RESOURCE_CACHE_MAX = 10_000;

export class ResourceIds {
  private readonly find: Database.Statement<[string], { rid: number }>;
  private readonly insert: Database.Statement<[string]>;
  private readonly insertAttr: Database.Statement<[string, string, number]>;
  /** fingerprint -> rid, for resources committed earlier. */
  private readonly known = new Map<string, number>();
  /** Ids the transaction in progress created: a rolled-back rid may be handed to another resource later, so they wait here until the commit. */
  private created = new Map<string, number>();
  /** Within one write: an export's spans share their resource object across traces, so its fingerprint is computed once per write. */
  private byObject = new WeakMap<Resource, number>();

  constructor(db: Database.Database) {
    this.find = db.prepare('SELECT rid FROM resources WHERE fingerprint = ?');
    this.insert = db.prepare('INSERT INTO resources (fingerprint) VALUES (?)');
    this.insertAttr = db.prepare('INSERT OR IGNORE INTO resource_attrs (key, value, rid) VALUES (?, ?, ?)');
  }

  /** Before each transaction: what the previous one created and did not commit is dropped unread. */
  begin(): void {
    this.created = new Map();
    this.byObject = new WeakMap();
  }

  /** The resource's id, indexing it first when the store has not seen it. */
  idOf(resource: Resource): number {
    const seen = this.byObject.get(resource);
    if (seen !== undefined) return seen;
    const fingerprint = JSON.stringify(resource.attributes);
    let rid = this.known.get(fingerprint) ?? this.created.get(fingerprint) ?? this.find.get(fingerprint)?.rid;
    if (rid === undefined) {
      rid = Number(this.insert.run(fingerprint).lastInsertRowid);
      for (const kv of resource.attributes) this.insertAttr.run(kv.key, valueToString(kv.value).slice(0, INDEXED_VALUE_CHARS), rid);
      this.created.set(fingerprint, rid);
    }
    this.byObject.set(resource, rid);
    return rid;
  }

  /** After the commit: the ids created are real now. */
  committed(): void {
    if (this.known.size + this.created.size > RESOURCE_CACHE_MAX) this.known.clear();
    for (const [fingerprint, rid] of this.created) this.known.set(fingerprint, rid);
  }

  /** After deletes: some remembered resources may be gone. */
  forget(): void {
    this.known.clear();
  }
}
