import type { Database } from '@shop/service-kit';

export interface ProductLedger {
  /** Units available (products.stock). */
  stock: number;
  /** Units held by RESERVED reservations in products. */
  reserved: number;
  /** Units in live orders (PENDING, PAID, SHIPPED, DELIVERED) in orders. */
  ordered: number;
}

/**
 * The stock books of both services side by side, per product. Consistent books have
 * reserved === ordered for every product (nothing leaked, nothing oversold).
 */
export async function stockLedger(dbs: { products: Database; orders: Database }): Promise<Map<string, ProductLedger>> {
  const products = await dbs.products.query<{ id: string; stock: number; reserved: number }>(
    `SELECT p.id, p.stock,
       COALESCE(sum(i.quantity) FILTER (WHERE r.status = 'RESERVED'), 0)::int AS reserved
     FROM products p
     LEFT JOIN stock_reservation_items i ON i.product_id = p.id
     LEFT JOIN stock_reservations r ON r.order_id = i.order_id
     GROUP BY p.id`,
  );
  const ordered = await dbs.orders.query<{ product_id: string; ordered: number }>(
    `SELECT i.product_id, sum(i.quantity)::int AS ordered
     FROM order_items i JOIN orders o ON o.id = i.order_id
     WHERE o.status IN ('PENDING', 'PAID', 'SHIPPED', 'DELIVERED')
     GROUP BY i.product_id`,
  );
  const orderedById = new Map(ordered.map((row) => [row.product_id, row.ordered]));
  return new Map(products.map((row) => [row.id, { stock: row.stock, reserved: row.reserved, ordered: orderedById.get(row.id) ?? 0 }]));
}

/** The products whose reserved and ordered units differ (empty when the books agree). */
export async function ledgerMismatches(dbs: { products: Database; orders: Database }): Promise<[string, ProductLedger][]> {
  return [...(await stockLedger(dbs))].filter(([, ledger]) => ledger.reserved !== ledger.ordered);
}
