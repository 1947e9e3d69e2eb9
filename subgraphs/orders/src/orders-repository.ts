import { decodeCursor, isUuid, pageOf, type Database, type Page, type Queryable } from '@shop/service-kit';
import type { OrderStatus } from './__generated__/resolvers-types.js';

/** An order as clients may see it: placed, priced, in a public status. */
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

/** Also the states clients never see: PLACING (intent written, stock not yet confirmed) and FAILED. */
export type StoredOrderStatus = OrderStatus | 'PLACING' | 'FAILED';

export interface StoredOrderRow extends Omit<OrderRow, 'status' | 'total_cents' | 'currency'> {
  status: StoredOrderStatus;
  total_cents: number | null;
  currency: string | null;
  idempotency_key: string | null;
}

export interface StatusChangeRow {
  order_id: string;
  status: OrderStatus;
  changed_at: Date;
}

/** A line as products priced it when the stock was reserved. */
export interface PricedItem {
  productId: string;
  quantity: number;
  unitPriceCents: number;
  currency: string;
}

export interface WantedItem {
  productId: string;
  quantity: number;
}

export interface OrderItemRow {
  order_id: string;
  position: number;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  currency: string;
}

/** The statuses an order may have when clients read it. */
const VISIBLE = "status NOT IN ('PLACING', 'FAILED')";

export type OrderPage = Page<OrderRow>;

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
      return db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = ANY($1::uuid[]) AND ${VISIBLE}`, [valid]);
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

    /** Writes a priced order in a given status with its items and first history entry (demo data, tests). */
    async createOrder(order: NewOrder): Promise<OrderRow> {
      const total = order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      return db.transaction(async (tx) => {
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

    /**
     * Writes the intent of an order (PLACING, items without prices) before any stock is taken.
     * Null when this user already has a live attempt with this key (the other one wins).
     */
    async createPlacingOrder(userId: string, idempotencyKey: string, items: readonly WantedItem[]): Promise<string | null> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO orders (user_id, status, idempotency_key) VALUES ($1, 'PLACING', $2)
           ON CONFLICT (user_id, idempotency_key) WHERE status <> 'FAILED' DO NOTHING RETURNING id`,
          [userId, idempotencyKey],
        );
        if (!row) return null;
        await insertItems(tx, row.id, items.map((item) => ({ ...item, unitPriceCents: null, currency: null })));
        return row.id;
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
    async findStoredOrder(id: string): Promise<StoredOrderRow | null> {
      if (!isUuid(id)) return null;
      const rows = await db.query<StoredOrderRow>(`SELECT ${COLUMNS}, idempotency_key FROM orders WHERE id = $1`, [id]);
      return rows[0] ?? null;
    },

    /**
     * PLACING -> PENDING with the prices products reserved at; null when the order is no longer
     * PLACING (another confirmation or the reconciler got there first).
     */
    async confirmOrder(orderId: string, items: readonly PricedItem[]): Promise<OrderRow | null> {
      const total = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      return db.transaction(async (tx) => {
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
        await recordStatus(tx, orderId, 'PENDING');
        return confirmed;
      });
    },

    /**
     * PLACING -> FAILED, if nobody confirmed it first: this and confirmOrder are both conditional
     * on PLACING, so exactly one wins. `owesStock` marks that products may hold stock for it, to
     * be released (now, or by the reconciler). The key may be used again. False when it lost.
     */
    async claimFailed(orderId: string, owesStock: boolean): Promise<boolean> {
      const rows = await db.query(
        `UPDATE orders SET status = 'FAILED', stock_release_pending = $2, updated_at = now()
         WHERE id = $1 AND status = 'PLACING' RETURNING id`,
        [orderId, owesStock],
      );
      return rows.length === 1;
    },

    /**
     * Moves an order to `to` if it is in one of `from` (the check and the write are one
     * statement, so concurrent moves cannot both win). Cancelling marks its stock as owed back.
     */
    async moveOrder(orderId: string, from: readonly OrderStatus[], to: OrderStatus): Promise<OrderRow | null> {
      if (!isUuid(orderId)) return null;
      return db.transaction(async (tx) => {
        const [row] = await tx.query<OrderRow>(
          `UPDATE orders SET status = $3, updated_at = now(), stock_release_pending = stock_release_pending OR $3 = 'CANCELLED'
           WHERE id = $1 AND status = ANY($2::text[]) RETURNING ${COLUMNS}`,
          [orderId, from, to],
        );
        if (row) await recordStatus(tx, orderId, to);
        return row ?? null;
      });
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

    async markStockReleased(orderId: string): Promise<void> {
      await db.query('UPDATE orders SET stock_release_pending = false WHERE id = $1', [orderId]);
    },

    async listStatusHistoryByOrderIds(orderIds: readonly string[]): Promise<StatusChangeRow[]> {
      const valid = orderIds.filter(isUuid);
      if (valid.length === 0) return [];
      return db.query<StatusChangeRow>(
        'SELECT order_id, status, changed_at FROM order_status_history WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, seq',
        [valid],
      );
    },

    async countOrders(): Promise<number> {
      const rows = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM orders');
      return rows[0]?.count ?? 0;
    },
  };
}

function insertItems(
  tx: Queryable,
  orderId: string,
  items: readonly { productId: string; quantity: number; unitPriceCents: number | null; currency: string | null }[],
) {
  return tx.query(
    `INSERT INTO order_items (order_id, position, product_id, quantity, unit_price_cents, currency)
     SELECT $1, item.position, item.product_id, item.quantity, item.unit_price_cents, item.currency
     FROM unnest($2::uuid[], $3::int[], $4::int[], $5::text[]) WITH ORDINALITY
       AS item(product_id, quantity, unit_price_cents, currency, position)`,
    [
      orderId,
      items.map((item) => item.productId),
      items.map((item) => item.quantity),
      items.map((item) => item.unitPriceCents),
      items.map((item) => item.currency),
    ],
  );
}

function recordStatus(tx: Queryable, orderId: string, status: OrderStatus) {
  return tx.query('INSERT INTO order_status_history (order_id, status) VALUES ($1, $2)', [orderId, status]);
}

export type OrdersRepository = ReturnType<typeof createOrdersRepository>;
