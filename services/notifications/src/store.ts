/**
 * Notifications' own store: what was sent, and which events were handled.
 * Both are written in one transaction, so a redelivered event is recognised
 * and has its effect once. It also counts the failed attempts of records not
 * yet settled, so the dead-letter limit holds across restarts.
 */
import { DELIVERY_FAILURES_SCHEMA, type DeliveryFailures, type TracedDb, deliveryFailures, openDatabase } from '@tracewire/service-common';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS processed_events (
  event_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  sent_at TEXT NOT NULL
);`;

export interface SentNotification {
  channel: 'email' | 'sms';
  customer_id: string;
}

/** Also counts the failed attempts of deliveries not yet settled (DeliveryFailures). */
export interface NotificationsStore extends DeliveryFailures {
  isProcessed(eventId: string): boolean;
  /** Records the event as handled together with what was sent; false if it already was. */
  recordProcessed(eventId: string, orderId: string, sent: SentNotification[]): boolean;
  close(): void;
}

export function openNotificationsStore(file: string): NotificationsStore {
  const db: TracedDb = openDatabase(file, SCHEMA + DELIVERY_FAILURES_SCHEMA);
  return {
    isProcessed: (eventId) => db.get('SELECT 1 AS hit FROM processed_events WHERE event_id = ?', [eventId]) !== undefined,
    recordProcessed: (eventId, orderId, sent) =>
      db.transaction(() => {
        const now = new Date().toISOString();
        const inserted = db.run('INSERT OR IGNORE INTO processed_events (event_id, order_id, processed_at) VALUES (?, ?, ?)', [eventId, orderId, now]);
        if (inserted.changes === 0) return false;
        for (const n of sent) {
          db.run('INSERT INTO notifications (event_id, order_id, customer_id, channel, sent_at) VALUES (?, ?, ?, ?, ?)', [
            eventId,
            orderId,
            n.customer_id,
            n.channel,
            now,
          ]);
        }
        return true;
      }),
    ...deliveryFailures(db),
    close: () => db.close(),
  };
}
