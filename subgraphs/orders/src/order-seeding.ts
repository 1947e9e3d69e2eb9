import type { Database, Transaction } from '@shop/service-kit';
import type { OrderRow, OrderStatus } from './order-rows.js';
import { COLUMNS, inTransaction, insertItems, recordStatus } from './order-sql.js';

export interface NewOrder {
  id?: string;
  userId: string;
  status: OrderStatus;
  currency: string;
  items: { productId: string; quantity: number; unitPriceCents: number }[];
}

/** Orders written directly, already priced and in any status, without checkout: demo data and tests. */
export function createOrderSeeding(db: Database) {
  return {
    /** Writes a priced order in a given status with its items and first history entry. */
    async createOrder(order: NewOrder, tx?: Transaction): Promise<OrderRow> {
      const total = order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      return inTransaction(db, tx, async (tx) => {
        const [row] = await tx.query<OrderRow>(
          `INSERT INTO orders (id, user_id, status, total_cents, currency)
           VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5) RETURNING ${COLUMNS}`,
          [order.id ?? null, order.userId, order.status, total, order.currency],
        );
        await insertItems(tx, row!.id, order.items.map((item) => ({ ...item, currency: order.currency })));
        await recordStatus(tx, row!.id, order.status);
        return row!;
      });
    },
  };
}

export type OrderSeeding = ReturnType<typeof createOrderSeeding>;
