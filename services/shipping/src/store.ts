/**
 * Shipping's own store: one shipment per order, the events already handled
 * (same transaction), and the failed attempts of deliveries not yet settled,
 * so the dead-letter limit holds across restarts.
 */
import { DELIVERY_FAILURES_SCHEMA, type DeliveryFailures, type TracedDb, deliveryFailures, openDatabase } from '@tracewire/service-common';

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
);`;

export interface NewShipment {
  shipment_id: string;
  order_id: string;
  event_id: string;
  product_id: string;
  quantity: number;
  carrier: string;
}

/** Also counts the failed attempts of deliveries not yet settled (DeliveryFailures). */
export interface ShippingStore extends DeliveryFailures {
  isProcessed(eventId: string): boolean;
  /** Stores the shipment and marks the event handled; false if the event was handled before. */
  createShipment(shipment: NewShipment): boolean;
  close(): void;
}

export function openShippingStore(file: string): ShippingStore {
  const db: TracedDb = openDatabase(file, SCHEMA + DELIVERY_FAILURES_SCHEMA);
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
    ...deliveryFailures(db),
    close: () => db.close(),
  };
}
