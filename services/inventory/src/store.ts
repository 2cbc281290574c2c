/** Inventory's own store: products with stock, and one reservation per order. */
import { type TracedDb, openDatabase } from '@tracewire/service-common';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (
  product_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  stock INTEGER NOT NULL CHECK (stock >= 0)
);
CREATE TABLE IF NOT EXISTS reservations (
  reservation_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  product_id TEXT NOT NULL REFERENCES products(product_id),
  quantity INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
-- One row per released order, kept for good: it makes Release idempotent
-- (stock goes back once) and refuses a Reserve that arrives after its Release.
CREATE TABLE IF NOT EXISTS releases (
  order_id TEXT PRIMARY KEY,
  released_at TEXT NOT NULL
);`;

/**
 * Seeded catalogue. Plenty of stock for the demo and load tests, and one
 * product that is always sold out so "out of stock" is easy to reach.
 */
export const SEED_PRODUCTS: ReadonlyArray<{ product_id: string; name: string; stock: number }> = [
  { product_id: 'sku-keyboard', name: 'Mechanical keyboard', stock: 1_000_000 },
  { product_id: 'sku-mouse', name: 'Wireless mouse', stock: 1_000_000 },
  { product_id: 'sku-monitor', name: '27" monitor', stock: 1_000_000 },
  { product_id: 'sku-headset', name: 'Headset', stock: 1_000_000 },
  { product_id: 'sku-webcam', name: 'Webcam', stock: 1_000_000 },
  { product_id: 'sku-sold-out', name: 'Limited edition (sold out)', stock: 0 },
];

export interface Product {
  product_id: string;
  name: string;
  stock: number;
}

/** What Reserve did: `existing` is a retry of an order already reserved. */
export type ReserveOutcome =
  | { outcome: 'reserved' | 'existing'; reservation_id: string }
  | { outcome: 'out_of_stock' }
  | { outcome: 'released' };

export interface ReleaseOutcome {
  /** True only for the call that put the stock back. */
  released: boolean;
  reservation_id: string;
  quantity: number;
}

export interface InventoryStore {
  product(productId: string): Product | undefined;
  /**
   * In one transaction: refuses a released order, returns an existing
   * reservation (a retried Reserve takes no stock twice), else takes stock
   * and records the reservation.
   */
  reserve(orderId: string, productId: string, quantity: number, reservationId: string): ReserveOutcome;
  /** In one transaction: marks the order released and, the first time only, puts its reserved stock back. */
  release(orderId: string): ReleaseOutcome;
  close(): void;
}

export function openInventoryStore(file: string): InventoryStore {
  const db: TracedDb = openDatabase(file, SCHEMA);
  const seed = db.raw.prepare('INSERT OR IGNORE INTO products (product_id, name, stock) VALUES (@product_id, @name, @stock)');
  db.raw.transaction(() => SEED_PRODUCTS.forEach((p) => seed.run(p)))();

  return {
    product: (productId) => db.get<Product>('SELECT product_id, name, stock FROM products WHERE product_id = ?', [productId]),
    reserve: (orderId, productId, quantity, reservationId) =>
      db.transaction((): ReserveOutcome => {
        // One statement for both checks, so Reserve's trace keeps its shape.
        const prior = db.get<{ reservation_id: string | null; released: number }>(
          'SELECT (SELECT reservation_id FROM reservations WHERE order_id = ?) AS reservation_id, EXISTS (SELECT 1 FROM releases WHERE order_id = ?) AS released',
          [orderId, orderId],
        );
        if (prior?.released) return { outcome: 'released' };
        if (prior?.reservation_id) return { outcome: 'existing', reservation_id: prior.reservation_id };
        const taken = db.run('UPDATE products SET stock = stock - ? WHERE product_id = ? AND stock >= ?', [quantity, productId, quantity]);
        if (taken.changes === 0) return { outcome: 'out_of_stock' };
        db.run('INSERT INTO reservations (reservation_id, order_id, product_id, quantity, created_at) VALUES (?, ?, ?, ?, ?)', [
          reservationId,
          orderId,
          productId,
          quantity,
          new Date().toISOString(),
        ]);
        return { outcome: 'reserved', reservation_id: reservationId };
      }),
    release: (orderId) =>
      db.transaction((): ReleaseOutcome => {
        const first = db.run('INSERT OR IGNORE INTO releases (order_id, released_at) VALUES (?, ?)', [orderId, new Date().toISOString()]);
        const reservation = db.get<{ reservation_id: string; product_id: string; quantity: number }>(
          'SELECT reservation_id, product_id, quantity FROM reservations WHERE order_id = ?',
          [orderId],
        );
        if (!reservation) return { released: false, reservation_id: '', quantity: 0 };
        if (first.changes === 0) return { released: false, reservation_id: reservation.reservation_id, quantity: reservation.quantity };
        db.run('UPDATE products SET stock = stock + ? WHERE product_id = ?', [reservation.quantity, reservation.product_id]);
        return { released: true, reservation_id: reservation.reservation_id, quantity: reservation.quantity };
      }),
    close: () => db.close(),
  };
}
