import { decodeCursor, isUuid, pageOf, type Page, type Queryable } from '@shop/service-kit';
import type { OrderItemRow, OrderRow, OrderStatus, StatusChangeRow } from './order-rows.js';
import { COLUMNS, ITEM_COLUMNS, QUALIFIED_COLUMNS, VISIBLE } from './order-sql.js';

export type OrderPage = Page<OrderRow>;

/** An order as read by id: its row and its items, in their order. */
export type OrderWithItems = OrderRow & { items: OrderItemRow[] };

/** An item's columns beside its order's in one joined row: null for an order without items. */
type ItemColumns =
  | { position: number; product_id: string; quantity: number; unit_price_cents: number; item_currency: string }
  | { position: null; product_id: null; quantity: null; unit_price_cents: null; item_currency: null };

/** One user's page of orders: what User.orders asks for. */
export interface UserOrdersPageKey {
  userId: string;
  limit: number;
  after?: string | null;
}

/** What clients read: placed orders (never PLACING or FAILED), their items, their history, pages of them. */
export function createOrderReads(db: Queryable) {
  return {
    /**
     * Orders with their items, in one statement: an order read by id is nearly always read with its
     * items (the order page, the canonical query), and a statement costs more than its rows.
     */
    async listOrdersWithItemsByIds(ids: readonly string[]): Promise<OrderWithItems[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const rows = await db.query<OrderRow & ItemColumns>(
        `SELECT ${QUALIFIED_COLUMNS}, i.position, i.product_id, i.quantity, i.unit_price_cents, i.currency AS item_currency
         FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
         WHERE o.id = ANY($1::uuid[]) AND o.${VISIBLE}
         ORDER BY o.id, i.position`,
        [valid],
        { prepare: true },
      );
      const orders = new Map<string, OrderWithItems>();
      for (const { position, product_id, quantity, unit_price_cents, item_currency, ...order } of rows) {
        let entry = orders.get(order.id);
        if (!entry) orders.set(order.id, (entry = { ...order, items: [] }));
        // An order without items has one row whose item columns are all null.
        if (position !== null) entry.items.push({ order_id: order.id, position, product_id, quantity, unit_price_cents, currency: item_currency });
      }
      return [...orders.values()];
    },

    async listItemsByOrderIds(orderIds: readonly string[]): Promise<OrderItemRow[]> {
      const valid = orderIds.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<OrderItemRow>(
        `SELECT ${ITEM_COLUMNS} FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position`,
        [valid],
        { prepare: true },
      );
    },

    async listStatusHistoryByOrderIds(orderIds: readonly string[]): Promise<StatusChangeRow[]> {
      const valid = orderIds.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<StatusChangeRow>(
        'SELECT order_id, status, changed_at FROM order_status_history WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, seq',
        [valid],
        { prepare: true },
      );
    },

    /** A page of orders, newest first, of one user (or all when `userId` is null), with the count of all matches. */
    async listOrdersPage(filter: { limit: number; after?: string | null; userId: string | null; status?: OrderStatus | null }): Promise<OrderPage> {
      const afterSeq = filter.after ? decodeCursor(filter.after) : null;
      const rows = await db.query<OrderRow & { total_count: number }>(
        `WITH matching AS (
           SELECT * FROM orders WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2) AND ${VISIBLE}
         ), total AS (SELECT count(*)::int AS total_count FROM matching)
         SELECT total.total_count, page.*
         FROM total LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM matching WHERE $3::bigint IS NULL OR matching.seq < $3::bigint ORDER BY matching.seq DESC LIMIT $4
         ) page ON true
         ORDER BY page.seq::bigint DESC`,
        [filter.userId, filter.status ?? null, afterSeq, filter.limit],
      );
      return pageOf(rows);
    },

    /**
     * Several users' pages of orders in one statement (User.orders for a list of users): each
     * key is joined laterally to its own page and count. Results come in the order of `keys`.
     */
    async listOrdersPagesByUsers(keys: readonly UserOrdersPageKey[]): Promise<OrderPage[]> {
      const afterSeqs = keys.map((key) => (key.after ? decodeCursor(key.after) : null));
      const users = keys.map((key) => (isUuid(key.userId) ? key.userId : null));
      // A user with no orders on the page still has a row: the LEFT JOIN's, whose columns are all null.
      const rows = await db.query<(OrderRow | { id: null }) & { key_index: number; total_count: number }>(
        `SELECT k.key_index::int AS key_index, total.total_count, page.*
         FROM unnest($1::uuid[], $2::bigint[], $3::int[]) WITH ORDINALITY AS k(user_id, after_seq, page_limit, key_index)
         CROSS JOIN LATERAL (SELECT count(*)::int AS total_count FROM orders WHERE user_id = k.user_id AND ${VISIBLE}) total
         LEFT JOIN LATERAL (
           SELECT ${COLUMNS} FROM orders
           WHERE user_id = k.user_id AND ${VISIBLE} AND (k.after_seq IS NULL OR orders.seq < k.after_seq)
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

    /** Every order in any state: the seed's "is this database empty". */
    async countOrders(): Promise<number> {
      const rows = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM orders');
      return rows[0]?.count ?? 0;
    },
  };
}

export type OrderReads = ReturnType<typeof createOrderReads>;
