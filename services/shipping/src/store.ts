/**
 * Shipping's own store: one shipment per order, the events already handled
 * (same transaction), and the failed attempts of deliveries not yet settled,
 * so the dead-letter limit holds across restarts.
 */
import { type TracedDb, openDatabase } from '@tracewire/service-common';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS processed_events (
  event_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipments (
  shipment_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  carrier TEXT NOT NULL,
  created_at TEXT NOT NULL
);
-- Failed attempts per message (message id, or a hash of the body), from the
-- first failure until the delivery succeeds or is dead-lettered.
CREATE TABLE IF NOT EXISTS delivery_failures (
  message_key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_error TEXT,
  updated_at TEXT NOT NULL
);`;

export interface NewShipment {
  shipment_id: string;
  order_id: string;
  event_id: string;
  product_id: string;
  quantity: number;
  carrier: string;
}

export interface ShippingStore {
  isProcessed(eventId: string): boolean;
  /** Stores the shipment and marks the event handled; false if the event was handled before. */
  createShipment(shipment: NewShipment): boolean;
  /** Failed attempts recorded for a message so far (0 if none). */
  failures(messageKey: string): number;
  /** Records one more failed attempt; returns the count including it. */
  recordFailure(messageKey: string, error: string): number;
  /** Forgets a message's failures (it succeeded or was dead-lettered). */
  clearFailures(messageKey: string): void;
  close(): void;
}

export function openShippingStore(file: string): ShippingStore {
  const db: TracedDb = openDatabase(file, SCHEMA);
  // Untraced, like the relay's polling: delivery bookkeeping, not a step of the
  // order's work (the count is on the CONSUMER span as tracewire.delivery.attempt).
  const failures = db.raw.prepare('SELECT failures FROM delivery_failures WHERE message_key = ?').pluck();
  const recordFailure = db.raw
    .prepare(
      `INSERT INTO delivery_failures (message_key, failures, last_error, updated_at) VALUES (?, 1, ?, ?)
ON CONFLICT (message_key) DO UPDATE SET failures = failures + 1, last_error = excluded.last_error, updated_at = excluded.updated_at
RETURNING failures`,
    )
    .pluck();
  const clearFailures = db.raw.prepare('DELETE FROM delivery_failures WHERE message_key = ?');
  return {
    isProcessed: (eventId) => db.get('SELECT 1 AS hit FROM processed_events WHERE event_id = ?', [eventId]) !== undefined,
    createShipment: (s) =>
      db.transaction(() => {
        const now = new Date().toISOString();
        const first = db.run('INSERT OR IGNORE INTO processed_events (event_id, order_id, processed_at) VALUES (?, ?, ?)', [s.event_id, s.order_id, now]);
        if (first.changes === 0) return false;
        db.run(
          'INSERT OR IGNORE INTO shipments (shipment_id, order_id, event_id, product_id, quantity, carrier, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [s.shipment_id, s.order_id, s.event_id, s.product_id, s.quantity, s.carrier, now],
        );
        return true;
      }),
    failures: (key) => (failures.get(key) as number | undefined) ?? 0,
    recordFailure: (key, error) => recordFailure.get(key, error.slice(0, 500), new Date().toISOString()) as number,
    clearFailures: (key) => void clearFailures.run(key),
    close: () => db.close(),
  };
}
