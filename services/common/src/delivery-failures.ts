/**
 * Failed delivery attempts per message, kept in a consumer's own SQLite file
 * so its retry / dead-letter limit holds across restarts and crashes
 * (shipping on RabbitMQ, notifications on Kafka). Untraced: delivery
 * bookkeeping, not a step of the order's work (the attempt number is on the
 * CONSUMER span as `tracewire.delivery.attempt`).
 */
import type { TracedDb } from './sqlite.ts';

/** Part of the consumer's schema: one row per message from its first failure until it succeeds or is dead-lettered. */
export const DELIVERY_FAILURES_SCHEMA = `
CREATE TABLE IF NOT EXISTS delivery_failures (
  message_key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_error TEXT,
  updated_at TEXT NOT NULL
);`;

export interface RecordedFailures {
  failures: number;
  lastError: string;
}

export interface DeliveryFailures {
  /** Failed attempts recorded for a message so far, with the last error (undefined if none). */
  failures(messageKey: string): RecordedFailures | undefined;
  /** Records one more failed attempt; returns the count including it. */
  recordFailure(messageKey: string, error: string): number;
  /** Forgets a message's failures (it succeeded or was dead-lettered). */
  clearFailures(messageKey: string): void;
}

export function deliveryFailures(db: TracedDb): DeliveryFailures {
  const select = db.raw.prepare<[string], { failures: number; lastError: string | null }>(
    'SELECT failures, last_error AS lastError FROM delivery_failures WHERE message_key = ?',
  );
  const record = db.raw
    .prepare<[string, string, string], number>(
      `INSERT INTO delivery_failures (message_key, failures, last_error, updated_at) VALUES (?, 1, ?, ?)
ON CONFLICT (message_key) DO UPDATE SET failures = failures + 1, last_error = excluded.last_error, updated_at = excluded.updated_at
RETURNING failures`,
    )
    .pluck();
  const clear = db.raw.prepare<[string]>('DELETE FROM delivery_failures WHERE message_key = ?');
  return {
    failures: (key) => {
      const row = select.get(key);
      return row ? { failures: row.failures, lastError: row.lastError ?? '' } : undefined;
    },
    recordFailure: (key, error) => record.get(key, error.slice(0, 500), new Date().toISOString()) as number,
    clearFailures: (key) => void clear.run(key),
  };
}
