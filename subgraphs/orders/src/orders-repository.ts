import { decodeCursor, isUuid, type Database, type Queryable } from '@shop/service-kit';
import type { OrderStatus } from './__generated__/resolvers-types.js';

export interface OrderRow {
  id: string;
  seq: string;
  user_id: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  created_at: Date;
  updated_at: Date;
}

export interface OrderItemRow {
  order_id: string;
  position: number;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  currency: string;
}

export interface OrderPage {
  rows: OrderRow[];
  totalCount: number;
}

/** One user's page of orders: what User.orders asks for. */
export interface UserOrdersPageKey {
  userId: string;
  limit: number;
  after?: string | null;
}

export interface NewOrder {
  id?: string;
  userId: string;
  status: OrderStatus;
  currency: string;
  items: { productId: string; quantity: number; unitPriceCents: number }[];
}

// seq leaves as text (cursors carry it); SQL that sorts must name the table's column, not this alias.
const COLUMNS = 'id, seq::text AS seq, user_id, status, total_cents, currency, created_at, updated_at';
const ITEM_COLUMNS = 'order_id, position, product_id, quantity, unit_price_cents, currency';

export function createOrdersRepository(db: Database) {
  return {
    async listOrdersByIds(ids: readonly string[]): Promise<OrderRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = ANY($1::uuid[])`, [valid]);
    },

    async listItemsByOrderIds(orderIds: readonly string[]): Promise<OrderItemRow[]> {
      const valid = orderIds.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<OrderItemRow>(
        `SELECT ${ITEM_COLUMNS} FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position`,
        [valid],
      );
    },

    /** A page of orders, newest first, of one user (or all when `userId` is null), with the count of all matches. */
    async listOrdersPage(filter: { limit: number; after?: string | null; userId: string | null; status?: OrderStatus | null }): Promise<OrderPage> {
      const afterSeq = filter.after ? decodeCursor(filter.after) : null;
      const rows = await db.query<OrderRow & { total_count: number }>(
        `WITH matching AS (
           SELECT * FROM orders WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)
         ), total AS (SELECT count(*)::int AS total_count FROM matching)
         SELECT total.total_count, page.*
         FROM total LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM matching WHERE $3::bigint IS NULL OR matching.seq < $3::bigint ORDER BY matching.seq DESC LIMIT $4
         ) page ON true
         ORDER BY page.seq::bigint DESC`,
        [filter.userId, filter.status ?? null, afterSeq, filter.limit],
      );
      return { totalCount: rows[0]?.total_count ?? 0, rows: rows.filter((row) => row.id !== null) };
    },

    /**
     * Several users' pages of orders in one statement (User.orders for a list of users): each
     * key is joined laterally to its own page and count. Results come in the order of `keys`.
     */
    async listOrdersPagesByUsers(keys: readonly UserOrdersPageKey[]): Promise<OrderPage[]> {
      const afterSeqs = keys.map((key) => (key.after ? decodeCursor(key.after) : null));
      const users = keys.map((key) => (isUuid(key.userId) ? key.userId : null));
      const rows = await db.query<OrderRow & { key_index: number; total_count: number }>(
        `SELECT k.key_index::int AS key_index, total.total_count, page.*
         FROM unnest($1::uuid[], $2::bigint[], $3::int[]) WITH ORDINALITY AS k(user_id, after_seq, page_limit, key_index)
         CROSS JOIN LATERAL (SELECT count(*)::int AS total_count FROM orders WHERE user_id = k.user_id) total
         LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM orders
           WHERE user_id = k.user_id AND (k.after_seq IS NULL OR orders.seq < k.after_seq)
           ORDER BY orders.seq DESC LIMIT k.page_limit
         ) page ON true
         ORDER BY k.key_index, page.seq::bigint DESC`,
        [users, afterSeqs, keys.map((key) => key.limit)],
      );
      const pages = keys.map((): OrderPage => ({ rows: [], totalCount: 0 }));
      for (const { key_index, total_count, ...row } of rows) {
        const page = pages[key_index - 1]!;
        page.totalCount = total_count;
        if (row.id !== null) page.rows.push(row);
      }
      return pages;
    },

    /** Writes an order and its items together; the total is the sum of the lines. */
    async createOrder(order: NewOrder): Promise<OrderRow> {
      const total = order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      return db.transaction(async (tx) => {
        const [row] = await tx.query<OrderRow>(
          `INSERT INTO orders (id, user_id, status, total_cents, currency)
           VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5) RETURNING ${COLUMNS}`,
          [order.id ?? null, order.userId, order.status, total, order.currency],
        );
        await insertItems(tx, row!.id, order);
        return row!;
      });
    },

    async countOrders(): Promise<number> {
      const rows = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM orders');
      return rows[0]?.count ?? 0;
    },
  };
}

function insertItems(tx: Queryable, orderId: string, order: NewOrder) {
  return tx.query(
    `INSERT INTO order_items (order_id, position, product_id, quantity, unit_price_cents, currency)
     SELECT $1, item.position, item.product_id, item.quantity, item.unit_price_cents, $5
     FROM unnest($2::uuid[], $3::int[], $4::int[]) WITH ORDINALITY AS item(product_id, quantity, unit_price_cents, position)`,
    [
      orderId,
      order.items.map((item) => item.productId),
      order.items.map((item) => item.quantity),
      order.items.map((item) => item.unitPriceCents),
      order.currency,
    ],
  );
}

export type OrdersRepository = ReturnType<typeof createOrdersRepository>;
