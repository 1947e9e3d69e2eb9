import type { Database, Transaction } from '@shop/service-kit';
import type { OrderRow, OrderStatus, StoredOrderRow } from './order-rows.js';
import { clearStockReleasePending, COLUMNS, inTransaction, recordStatusChange, selectStoredOrder } from './order-sql.js';

/** SQL of an order's life after placing: moving it between statuses, and the stock a cancel owes back. */
export function createStatusMoves(db: Database) {
  return {
    /**
     * Moves an order to `to` if it is in one of `from` (the check and the write are one
     * statement, so concurrent moves cannot both win). Cancelling marks its stock as owed back.
     * `orderId` is a uuid: the resolvers that reach this refuse anything else, after authorization.
     */
    async moveOrder(orderId: string, from: readonly OrderStatus[], to: OrderStatus, tx?: Transaction): Promise<OrderRow | null> {
      return inTransaction(db, tx, async (tx) => {
        const [row] = await tx.query<OrderRow>(
          `UPDATE orders SET status = $3, updated_at = now(), stock_release_pending = stock_release_pending OR $3 = 'CANCELLED'
           WHERE id = $1 AND status = ANY($2::text[]) RETURNING ${COLUMNS}`,
          [orderId, from, to],
        );
        if (row) await recordStatusChange(tx, orderId, to);
        return row ?? null;
      });
    },

    /**
     * Cancels up to `limit` PENDING orders that have waited for payment longer than `windowMs`
     * (since they became PENDING), each with its history entry and an `order.cancelled` event whose
     * reason is PAYMENT_WINDOW_EXPIRED, and marks their stock as owed back. One transaction: the
     * rows are locked as they are taken (SKIP LOCKED), so replicas running it at once split the
     * work, and a payment committed first wins (the order is no longer PENDING when it is locked).
     */
    async expireUnpaidOrders(windowMs: number, limit: number): Promise<string[]> {
      return db.transaction(async (tx) => {
        const expired = await tx.query<{ id: string }>(
          `UPDATE orders SET status = 'CANCELLED', updated_at = now(), stock_release_pending = true
           WHERE id IN (
             SELECT id FROM orders
             WHERE status = 'PENDING' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
             ORDER BY updated_at LIMIT $2
             FOR UPDATE SKIP LOCKED)
           AND status = 'PENDING'
           RETURNING id`,
          [windowMs, limit],
        );
        for (const { id } of expired) await recordStatusChange(tx, id, 'CANCELLED', 'PAYMENT_WINDOW_EXPIRED');
        return expired.map(({ id }) => id);
      });
    },

    /** An order in any state (PLACING and FAILED included); null when there is none. */
    findStoredOrder: (id: string): Promise<StoredOrderRow | null> => selectStoredOrder(db, id),

    markStockReleased: (orderId: string, tx?: Transaction): Promise<void> => clearStockReleasePending(tx ?? db, orderId),
  };
}

export type StatusMoves = ReturnType<typeof createStatusMoves>;
