import { isUuid, type Database, type Transaction } from '@shop/service-kit';
import type { OrderRow, OrderStatus, StoredOrderRow } from './order-rows.js';
import { clearStockReleasePending, COLUMNS, inTransaction, recordStatusChange, selectStoredOrder } from './order-sql.js';

/** SQL of an order's life after placing: moving it between statuses, and the stock a cancel owes back. */
export function createStatusMoves(db: Database) {
  return {
    /**
     * Moves an order to `to` if it is in one of `from` (the check and the write are one
     * statement, so concurrent moves cannot both win). Cancelling marks its stock as owed back.
     */
    async moveOrder(orderId: string, from: readonly OrderStatus[], to: OrderStatus, tx?: Transaction): Promise<OrderRow | null> {
      if (!isUuid(orderId)) return null;
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

    /** An order in any state (PLACING and FAILED included); null when there is none. */
    findStoredOrder: (id: string): Promise<StoredOrderRow | null> => selectStoredOrder(db, id),

    markStockReleased: (orderId: string, tx?: Transaction): Promise<void> => clearStockReleasePending(tx ?? db, orderId),
  };
}

export type StatusMoves = ReturnType<typeof createStatusMoves>;
