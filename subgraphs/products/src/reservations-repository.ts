import { isUuid, type Queryable } from '@shop/service-kit';

export type ReservationStatus = 'RESERVED' | 'RELEASED';

export interface ReservedItemRow {
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  currency: string;
}

export interface ReservationRow {
  order_id: string;
  status: ReservationStatus;
  items: ReservedItemRow[];
}

/** A product as a reservation sees it: locked, with what it costs and how many are left. */
export interface StockRow {
  id: string;
  price_cents: number;
  currency: string;
  stock: number;
}

export interface StockItem {
  productId: string;
  quantity: number;
}

/** SQL of stock reservations; every write takes the transaction it runs in. */
export function createReservationsRepository() {
  return {
    /** Creates the order's reservation record; false when the order has one already (first writer wins). */
    async createReservation(tx: Queryable, orderId: string, status: ReservationStatus): Promise<boolean> {
      const rows = await tx.query(
        `INSERT INTO stock_reservations (order_id, status, released_at)
         VALUES ($1, $2, CASE WHEN $2 = 'RELEASED' THEN now() END)
         ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
        [orderId, status],
      );
      return rows.length === 1;
    },

    async findReservation(db: Queryable, orderId: string): Promise<ReservationRow | null> {
      if (!isUuid(orderId)) return null;
      const rows = await db.query<ReservationRow>(
        `SELECT r.order_id, r.status,
           COALESCE(
             json_agg(json_build_object('product_id', i.product_id, 'quantity', i.quantity,
               'unit_price_cents', i.unit_price_cents, 'currency', i.currency) ORDER BY i.position)
               FILTER (WHERE i.order_id IS NOT NULL),
             '[]') AS items
         FROM stock_reservations r LEFT JOIN stock_reservation_items i ON i.order_id = r.order_id
         WHERE r.order_id = $1
         GROUP BY r.order_id`,
        [orderId],
      );
      return rows[0] ?? null;
    },

    /**
     * Locks the products in id order, so two reservations touching the same products always
     * lock them in the same order and never deadlock.
     */
    lockProducts(tx: Queryable, productIds: readonly string[]): Promise<StockRow[]> {
      return tx.query<StockRow>(
        'SELECT id, price_cents, currency, stock FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
        [productIds.filter(isUuid)],
      );
    },

    /** Takes the quantities out of stock; the guard never lets stock go below zero. Returns the ids taken from. */
    async takeStock(tx: Queryable, items: readonly StockItem[]): Promise<string[]> {
      const rows = await tx.query<{ id: string }>(
        `UPDATE products p SET stock = p.stock - wanted.quantity, updated_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS wanted(product_id, quantity)
         WHERE p.id = wanted.product_id AND p.stock >= wanted.quantity
         RETURNING p.id`,
        [items.map((item) => item.productId), items.map((item) => item.quantity)],
      );
      return rows.map((row) => row.id);
    },

    async createReservationItems(tx: Queryable, orderId: string, items: readonly ReservedItemRow[]): Promise<void> {
      await tx.query(
        `INSERT INTO stock_reservation_items (order_id, position, product_id, quantity, unit_price_cents, currency)
         SELECT $1, item.position, item.product_id, item.quantity, item.unit_price_cents, item.currency
         FROM unnest($2::uuid[], $3::int[], $4::int[], $5::text[]) WITH ORDINALITY
           AS item(product_id, quantity, unit_price_cents, currency, position)`,
        [
          orderId,
          items.map((item) => item.product_id),
          items.map((item) => item.quantity),
          items.map((item) => item.unit_price_cents),
          items.map((item) => item.currency),
        ],
      );
    },

    /** RESERVED -> RELEASED; false when there was nothing held (already released). */
    async markReleased(tx: Queryable, orderId: string): Promise<boolean> {
      const rows = await tx.query(
        `UPDATE stock_reservations SET status = 'RELEASED', released_at = now()
         WHERE order_id = $1 AND status = 'RESERVED' RETURNING order_id`,
        [orderId],
      );
      return rows.length === 1;
    },

    /** Puts a reservation's quantities back into stock (its products locked in id order first). */
    async restoreStock(tx: Queryable, orderId: string): Promise<void> {
      await tx.query(
        `SELECT p.id FROM products p JOIN stock_reservation_items i ON i.product_id = p.id
         WHERE i.order_id = $1 ORDER BY p.id FOR UPDATE OF p`,
        [orderId],
      );
      await tx.query(
        `UPDATE products p SET stock = p.stock + i.quantity, updated_at = now()
         FROM stock_reservation_items i WHERE i.order_id = $1 AND p.id = i.product_id`,
        [orderId],
      );
    },
  };
}

export type ReservationsRepository = ReturnType<typeof createReservationsRepository>;
