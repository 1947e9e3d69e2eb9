import type { Database, Transaction } from '@shop/service-kit';
import type { OrderRow, PricedItem, StoredOrderRow, WantedItem } from './order-rows.js';
import { clearStockReleasePending, COLUMNS, inTransaction, insertItems, recordStatusChange, selectStoredOrder } from './order-sql.js';

/**
 * What writing an order's intent came to: written; a repeat of a live attempt with the same key
 * (that one wins); or refused, the user having as many open orders as they may.
 */
export type PlacingIntent = { kind: 'written'; orderId: string } | { kind: 'repeat' } | { kind: 'full'; openOrders: number };

/**
 * The advisory locks (two-key form) that serialize one user's checkouts: their first key. Any
 * constant no other lock of orders' database uses; the second key is the user's id, hashed.
 */
const OPEN_ORDERS_LOCK_SPACE = 28_001;

/**
 * SQL of placing an order (checkout and its reconciler): the PLACING intent, unique per user and
 * idempotency key; its end, confirmed (PENDING, priced) or FAILED; the PLACING orders a crash left
 * behind; and the stock owed back to products.
 */
export function createCheckoutWrites(db: Database) {
  return {
    /**
     * Writes the intent of an order (PLACING, items without prices) before any stock is taken,
     * unless this user already has a live attempt with this key (`repeat`: the other one wins) or
     * already has `maxOpenOrders` open orders, PLACING or PENDING (`full`). Attempts of one user
     * take turns on a lock of that user, so two at the limit cannot both count a free slot.
     */
    async createPlacingOrder(
      userId: string,
      idempotencyKey: string,
      items: readonly WantedItem[],
      maxOpenOrders = Number.POSITIVE_INFINITY,
      tx?: Transaction,
    ): Promise<PlacingIntent> {
      return inTransaction(db, tx, async (tx) => {
        // Held to the end of the transaction: the next attempt of this user counts this one's row.
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [OPEN_ORDERS_LOCK_SPACE, userId]);
        const [taken] = await tx.query(
          "SELECT 1 FROM orders WHERE user_id = $1 AND idempotency_key = $2 AND status <> 'FAILED'",
          [userId, idempotencyKey],
        );
        if (taken) return { kind: 'repeat' };
        if (Number.isFinite(maxOpenOrders)) {
          const [{ open } = { open: 0 }] = await tx.query<{ open: number }>(
            `SELECT count(*)::int AS open FROM (
               SELECT 1 FROM orders WHERE user_id = $1 AND status IN ('PLACING', 'PENDING') LIMIT $2) AS open_orders`,
            [userId, maxOpenOrders],
          );
          if (open >= maxOpenOrders) return { kind: 'full', openOrders: open };
        }
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO orders (user_id, status, idempotency_key) VALUES ($1, 'PLACING', $2)
           ON CONFLICT (user_id, idempotency_key) WHERE status <> 'FAILED' DO NOTHING RETURNING id`,
          [userId, idempotencyKey],
        );
        if (!row) return { kind: 'repeat' };
        await insertItems(tx, row.id, items.map((item) => ({ ...item, unitPriceCents: null, currency: null })));
        return { kind: 'written', orderId: row.id };
      });
    },

    /** The user's live (not FAILED) attempt with this key, in whatever state, with what it asked for. */
    async findOrderByIdempotencyKey(userId: string, idempotencyKey: string): Promise<(StoredOrderRow & { items: WantedItem[] }) | null> {
      const rows = await db.query<StoredOrderRow & { items: WantedItem[] }>(
        `SELECT ${COLUMNS}, idempotency_key,
           (SELECT json_agg(json_build_object('productId', i.product_id, 'quantity', i.quantity) ORDER BY i.position)
            FROM order_items i WHERE i.order_id = orders.id) AS items
         FROM orders WHERE user_id = $1 AND idempotency_key = $2 AND status <> 'FAILED'`,
        [userId, idempotencyKey],
      );
      return rows[0] ?? null;
    },

    /** An order in any state (PLACING and FAILED included); null when there is none. */
    findStoredOrder: (id: string): Promise<StoredOrderRow | null> => selectStoredOrder(db, id),

    /**
     * PLACING -> PENDING with the prices products reserved at; null when the order is no longer
     * PLACING (another confirmation or the reconciler got there first).
     */
    async confirmOrder(orderId: string, items: readonly PricedItem[], tx?: Transaction): Promise<OrderRow | null> {
      const total = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      return inTransaction(db, tx, async (tx) => {
        const [confirmed] = await tx.query<OrderRow>(
          `UPDATE orders SET status = 'PENDING', total_cents = $2, currency = $3, updated_at = now()
           WHERE id = $1 AND status = 'PLACING' RETURNING ${COLUMNS}`,
          [orderId, total, items[0]?.currency ?? null],
        );
        if (!confirmed) return null;
        await tx.query(
          `UPDATE order_items i SET unit_price_cents = priced.unit_price_cents, currency = priced.currency
           FROM unnest($2::uuid[], $3::int[], $4::text[]) AS priced(product_id, unit_price_cents, currency)
           WHERE i.order_id = $1 AND i.product_id = priced.product_id`,
          [orderId, items.map((item) => item.productId), items.map((item) => item.unitPriceCents), items.map((item) => item.currency)],
        );
        await recordStatusChange(tx, orderId, 'PENDING');
        return confirmed;
      });
    },

    /**
     * PLACING -> FAILED, if nobody confirmed it first: this and confirmOrder are both conditional
     * on PLACING, so exactly one wins. `owesStock` marks that products may hold stock for it, to
     * be released (now, or by the reconciler). The key may be used again. False when it lost.
     */
    async claimFailed(orderId: string, owesStock: boolean, tx?: Transaction): Promise<boolean> {
      const rows = await (tx ?? db).query(
        `UPDATE orders SET status = 'FAILED', stock_release_pending = $2, updated_at = now()
         WHERE id = $1 AND status = 'PLACING' RETURNING id`,
        [orderId, owesStock],
      );
      return rows.length === 1;
    },

    /** PLACING orders older than `olderThanMs`: their placing process is gone. */
    listStuckPlacingOrders(olderThanMs: number, limit: number): Promise<StoredOrderRow[]> {
      return db.query<StoredOrderRow>(
        `SELECT ${COLUMNS}, idempotency_key FROM orders
         WHERE status = 'PLACING' AND created_at < now() - make_interval(secs => $1::double precision / 1000)
         ORDER BY created_at LIMIT $2`,
        [olderThanMs, limit],
      );
    },

    /** Cancelled or failed orders whose stock products has not yet confirmed giving back. */
    async listOrderIdsAwaitingStockRelease(limit: number): Promise<string[]> {
      const rows = await db.query<{ id: string }>('SELECT id FROM orders WHERE stock_release_pending LIMIT $1', [limit]);
      return rows.map((row) => row.id);
    },

    markStockReleased: (orderId: string, tx?: Transaction): Promise<void> => clearStockReleasePending(tx ?? db, orderId),
  };
}

export type CheckoutWrites = ReturnType<typeof createCheckoutWrites>;
