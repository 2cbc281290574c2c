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

export interface InventoryStore {
  product(productId: string): Product | undefined;
  reservationFor(orderId: string): { reservation_id: string } | undefined;
  /** Takes stock and records the reservation in one transaction; false if not enough stock. */
  reserve(orderId: string, productId: string, quantity: number, reservationId: string): boolean;
  close(): void;
}

export function openInventoryStore(file: string): InventoryStore {
  const db: TracedDb = openDatabase(file, SCHEMA);
  const seed = db.raw.prepare('INSERT OR IGNORE INTO products (product_id, name, stock) VALUES (@product_id, @name, @stock)');
  db.raw.transaction(() => SEED_PRODUCTS.forEach((p) => seed.run(p)))();

  return {
    product: (productId) => db.get<Product>('SELECT product_id, name, stock FROM products WHERE product_id = ?', [productId]),
    reservationFor: (orderId) =>
      db.get<{ reservation_id: string }>('SELECT reservation_id FROM reservations WHERE order_id = ?', [orderId]),
    reserve: (orderId, productId, quantity, reservationId) =>
      db.transaction(() => {
        const taken = db.run('UPDATE products SET stock = stock - ? WHERE product_id = ? AND stock >= ?', [quantity, productId, quantity]);
        if (taken.changes === 0) return false;
        db.run('INSERT INTO reservations (reservation_id, order_id, product_id, quantity, created_at) VALUES (?, ?, ?, ?, ?)', [
          reservationId,
          orderId,
          productId,
          quantity,
          new Date().toISOString(),
        ]);
        return true;
      }),
    close: () => db.close(),
  };
}
