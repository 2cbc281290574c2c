/**
 * Orders' database: the orders and the transactional outbox. An order and its
 * outgoing events are written in one transaction, so an event exists if and
 * only if its order does; the relay publishes them later. Each outbox row keeps
 * the W3C context (traceparent, tracestate, baggage) of the request that wrote
 * it, so a late publish still joins the order's trace. Reservations whose
 * Release could not be delivered in-process wait in `pending_releases`, with
 * the context of the failed order, for the release retrier. A request's
 * idempotency key is stored with its order (`idempotency_keys`, same
 * transaction), so a retried request finds the first answer.
 */
import { randomUUID } from 'node:crypto';
import { type Order, type TracedDb, openDatabase } from '@tracewire/service-common';
import { inject } from '@tracewire/tracing';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  order_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  amount REAL NOT NULL,
  status TEXT NOT NULL,
  reservation_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  destination TEXT NOT NULL CHECK (destination IN ('kafka', 'rabbitmq')),
  order_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  traceparent TEXT,
  tracestate TEXT,
  baggage TEXT,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (destination, seq) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  customer_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 128),
  request_hash TEXT NOT NULL,
  order_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (customer_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS pending_releases (
  order_id TEXT PRIMARY KEY,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  traceparent TEXT,
  tracestate TEXT,
  baggage TEXT,
  created_at TEXT NOT NULL
);`;

export type Destination = 'kafka' | 'rabbitmq';
export const DESTINATIONS: readonly Destination[] = ['kafka', 'rabbitmq'];

export interface OutboxRow extends StoredContext {
  seq: number;
  event_id: string;
  destination: Destination;
  order_id: string;
  payload: string;
  attempts: number;
}

/** The W3C context a row was written under (outbox and pending_releases rows). */
export interface StoredContext {
  traceparent: string | null;
  tracestate: string | null;
  baggage: string | null;
}

export interface PendingRelease extends StoredContext {
  order_id: string;
  attempts: number;
  last_error: string | null;
}

export interface NewOrder {
  order_id: string;
  customer_id: string;
  product_id: string;
  quantity: number;
  amount: number;
  reservation_id: string;
}

/** The idempotency key a new order is stored under (scoped to its customer). */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
}

export interface OrdersStore {
  /**
   * Inserts the order, one outbox row per destination and, when given, its
   * idempotency key, in one transaction (traced). A key already stored for
   * the customer fails the transaction (SQLITE_CONSTRAINT_PRIMARYKEY).
   */
  createOrder(order: NewOrder, idempotency?: IdempotencyRecord): Order;
  getOrder(orderId: string): Order | undefined;
  /** The order stored under (customer, key), with the hash of the request that created it. */
  findByIdempotencyKey(customerId: string, key: string): { order: Order; requestHash: string } | undefined;
  /** Unsent rows for `destination`, oldest first (untraced: polling is not a user operation). */
  pending(destination: Destination, limit: number): OutboxRow[];
  markSent(seq: number): void;
  markFailed(seq: number, error: string): void;
  /**
   * Records a Release that failed `attempts` times, with the active context,
   * for the release retrier (traced: it is part of the failed request).
   * Throws if the row cannot be written.
   */
  deferRelease(orderId: string, attempts: number, error: string): void;
  /** Pending releases, oldest first (untraced, like `pending`). */
  pendingReleases(limit: number): PendingRelease[];
  /** Inventory answered: the reservation is released, forget the row. */
  releaseDone(orderId: string): void;
  releaseFailed(orderId: string, error: string): void;
  close(): void;
}

const INSERT_ORDER = `INSERT INTO orders (order_id, customer_id, product_id, quantity, amount, status, reservation_id, created_at)
VALUES (@order_id, @customer_id, @product_id, @quantity, @amount, @status, @reservation_id, @created_at)`;
const INSERT_PENDING_RELEASE = `INSERT INTO pending_releases (order_id, attempts, last_error, traceparent, tracestate, baggage, created_at)
VALUES (@order_id, @attempts, @last_error, @traceparent, @tracestate, @baggage, @created_at)
ON CONFLICT (order_id) DO UPDATE SET attempts = attempts + excluded.attempts, last_error = excluded.last_error`;
const INSERT_IDEMPOTENCY_KEY = `INSERT INTO idempotency_keys (customer_id, idempotency_key, request_hash, order_id, created_at)
VALUES (@customer_id, @idempotency_key, @request_hash, @order_id, @created_at)`;
const ORDER_COLUMNS = 'o.order_id, o.customer_id, o.product_id, o.quantity, o.amount, o.status, o.reservation_id, o.created_at';
const INSERT_OUTBOX = `INSERT INTO outbox (event_id, destination, order_id, payload, traceparent, tracestate, baggage, created_at)
VALUES (@event_id, @destination, @order_id, @payload, @traceparent, @tracestate, @baggage, @created_at)`;

export interface OrdersStoreOptions {
  /**
   * Fault injection (CHAOS_FAIL_COMMIT_CUSTOMER): this customer's order
   * transaction fails inside SQLite after the order row is written, as a full
   * disk or I/O error would, and is rolled back. Unset in normal runs.
   */
  failCommitFor?: string | undefined;
}

/**
 * A connection-local (TEMP) trigger, never stored in the file: a real SQLite
 * error on the outbox insert, so the failure takes the production path
 * (failed statement span, rollback, the handler's error handling).
 */
function injectCommitFailure(db: TracedDb, customerId: string): void {
  const literal = `'${customerId.replaceAll("'", "''")}'`;
  db.raw.exec(`CREATE TEMP TRIGGER IF NOT EXISTS chaos_fail_commit BEFORE INSERT ON main.outbox
WHEN (SELECT customer_id FROM main.orders WHERE order_id = NEW.order_id) = ${literal}
BEGIN SELECT RAISE(ABORT, 'simulated database failure (CHAOS_FAIL_COMMIT_CUSTOMER)'); END`);
}

export function openOrdersStore(file: string, options: OrdersStoreOptions = {}): OrdersStore {
  const db: TracedDb = openDatabase(file, SCHEMA);
  if (options.failCommitFor !== undefined) injectCommitFailure(db, options.failCommitFor);
  const pending = db.raw.prepare(
    'SELECT seq, event_id, destination, order_id, payload, traceparent, tracestate, baggage, attempts FROM outbox WHERE destination = ? AND sent_at IS NULL ORDER BY seq LIMIT ?',
  );
  const markSent = db.raw.prepare('UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?');
  const markFailed = db.raw.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?');
  const pendingReleases = db.raw.prepare(
    'SELECT order_id, attempts, last_error, traceparent, tracestate, baggage FROM pending_releases ORDER BY created_at, order_id LIMIT ?',
  );
  const releaseDone = db.raw.prepare('DELETE FROM pending_releases WHERE order_id = ?');
  const releaseFailed = db.raw.prepare('UPDATE pending_releases SET attempts = attempts + 1, last_error = ? WHERE order_id = ?');

  return {
    createOrder(input, idempotency) {
      const order: Order = { ...input, status: 'CREATED', created_at: new Date().toISOString() };
      // The active context here is the CreateOrder SERVER span: the relay will publish under it.
      const carrier: Record<string, string> = {};
      inject(carrier);
      db.transaction(() => {
        db.run(INSERT_ORDER, { ...order });
        if (idempotency) {
          db.run(INSERT_IDEMPOTENCY_KEY, {
            customer_id: order.customer_id,
            idempotency_key: idempotency.key,
            request_hash: idempotency.requestHash,
            order_id: order.order_id,
            created_at: order.created_at,
          });
        }
        for (const destination of DESTINATIONS) {
          const eventId = randomUUID();
          const payload = JSON.stringify({
            event_id: eventId,
            type: 'order_created',
            order_id: order.order_id,
            customer_id: order.customer_id,
            product_id: order.product_id,
            quantity: order.quantity,
            amount: order.amount,
            created_at: order.created_at,
          });
          db.run(INSERT_OUTBOX, {
            event_id: eventId,
            destination,
            order_id: order.order_id,
            payload,
            traceparent: carrier.traceparent ?? null,
            tracestate: carrier.tracestate ?? null,
            baggage: carrier.baggage ?? null,
            created_at: order.created_at,
          });
        }
      });
      return order;
    },
    getOrder: (orderId) =>
      db.get<Order>(
        'SELECT order_id, customer_id, product_id, quantity, amount, status, reservation_id, created_at FROM orders WHERE order_id = ?',
        [orderId],
      ),
    findByIdempotencyKey(customerId, key) {
      const row = db.get<Order & { request_hash: string }>(
        `SELECT ${ORDER_COLUMNS}, k.request_hash FROM idempotency_keys k JOIN orders o ON o.order_id = k.order_id WHERE k.customer_id = ? AND k.idempotency_key = ?`,
        [customerId, key],
      );
      if (!row) return undefined;
      const { request_hash: requestHash, ...order } = row;
      return { order, requestHash };
    },
    pending: (destination, limit) => pending.all(destination, limit) as OutboxRow[],
    markSent: (seq) => void markSent.run(new Date().toISOString(), seq),
    markFailed: (seq, error) => void markFailed.run(error.slice(0, 500), seq),
    deferRelease(orderId, attempts, error) {
      // Active context: the failed CreateOrder SERVER span, under which the retrier will call Release.
      const carrier: Record<string, string> = {};
      inject(carrier);
      db.run(INSERT_PENDING_RELEASE, {
        order_id: orderId,
        attempts,
        last_error: error.slice(0, 500),
        traceparent: carrier.traceparent ?? null,
        tracestate: carrier.tracestate ?? null,
        baggage: carrier.baggage ?? null,
        created_at: new Date().toISOString(),
      });
    },
    pendingReleases: (limit) => pendingReleases.all(limit) as PendingRelease[],
    releaseDone: (orderId) => void releaseDone.run(orderId),
    releaseFailed: (orderId, error) => void releaseFailed.run(error.slice(0, 500), orderId),
    close: () => db.close(),
  };
}
