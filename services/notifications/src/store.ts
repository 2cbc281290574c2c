/**
 * Notifications' own store: what was sent, and which events were handled.
 * Both are written in one transaction, so a redelivered event is recognised
 * and has its effect once. It also counts the failed attempts of records not
 * yet settled, so the dead-letter limit holds across restarts.
 */
import { type TracedDb, openDatabase } from '@tracewire/service-common';

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
);
-- Failed attempts per record (its event id, else topic/partition/offset),
-- from the first failure until the record succeeds or is dead-lettered.
CREATE TABLE IF NOT EXISTS delivery_failures (
  message_key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_error TEXT,
  updated_at TEXT NOT NULL
);`;

export interface SentNotification {
  channel: 'email' | 'sms';
  customer_id: string;
}

export interface RecordedFailures {
  failures: number;
  lastError: string;
}

export interface NotificationsStore {
  isProcessed(eventId: string): boolean;
  /** Records the event as handled together with what was sent; false if it already was. */
  recordProcessed(eventId: string, orderId: string, sent: SentNotification[]): boolean;
  /** Failed attempts recorded for a record so far, with the last error (undefined if none). */
  failures(messageKey: string): RecordedFailures | undefined;
  /** Records one more failed attempt; returns the count including it. */
  recordFailure(messageKey: string, error: string): number;
  /** Forgets a record's failures (it succeeded or was dead-lettered). */
  clearFailures(messageKey: string): void;
  close(): void;
}

export function openNotificationsStore(file: string): NotificationsStore {
  const db: TracedDb = openDatabase(file, SCHEMA);
  // Untraced, as in shipping: delivery bookkeeping, not a step of the order's
  // work (the count is on the CONSUMER span as tracewire.delivery.attempt).
  const failures = db.raw.prepare('SELECT failures, last_error AS lastError FROM delivery_failures WHERE message_key = ?');
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
    failures: (key) => {
      const row = failures.get(key) as { failures: number; lastError: string | null } | undefined;
      return row ? { failures: row.failures, lastError: row.lastError ?? '' } : undefined;
    },
    recordFailure: (key, error) => recordFailure.get(key, error.slice(0, 500), new Date().toISOString()) as number,
    clearFailures: (key) => void clearFailures.run(key),
    close: () => db.close(),
  };
}
