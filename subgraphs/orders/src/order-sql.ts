import { isUuid, type Database, type Queryable, type Transaction } from '@shop/service-kit';
import type { OrderStatus, StoredOrderRow } from './order-rows.js';
import type { OrderEventType } from './webhook-rows.js';

/** The statuses an order may have when clients read it. */
export const VISIBLE = "status NOT IN ('PLACING', 'FAILED')";

// seq leaves as text (cursors carry it); SQL that sorts must name the table's column, not this alias.
const ORDER_COLUMNS = ['id', 'seq::text AS seq', 'user_id', 'status', 'total_cents', 'currency', 'created_at', 'updated_at'];
export const COLUMNS = ORDER_COLUMNS.join(', ');
/** COLUMNS of `orders o`, for statements that join it to another table. */
export const QUALIFIED_COLUMNS = ORDER_COLUMNS.map((column) => `o.${column}`).join(', ');
export const ITEM_COLUMNS = 'order_id, position, product_id, quantity, unit_price_cents, currency';

/** Runs `work` in the caller's transaction when there is one, else in a transaction of its own. */
export function inTransaction<T>(db: Database, tx: Transaction | undefined, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return tx ? work(tx) : db.transaction(work);
}

export function insertItems(
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

export function recordStatus(tx: Queryable, orderId: string, status: OrderStatus) {
  return tx.query('INSERT INTO order_status_history (order_id, status) VALUES ($1, $2)', [orderId, status]);
}

/** The event each status an order can move to announces. */
export const EVENT_OF_STATUS = {
  PENDING: 'order.placed',
  PAID: 'order.paid',
  SHIPPED: 'order.shipped',
  DELIVERED: 'order.delivered',
  CANCELLED: 'order.cancelled',
} as const satisfies Record<OrderStatus, OrderEventType>;

/** The version of the events' payload; a change that removes or retypes a field makes the next. */
export const ORDER_EVENT_SCHEMA_VERSION = 1;

/** Notified (at commit) when an event is written, so the relay and the webhooks need not wait for their next poll. */
export const ORDER_EVENTS_CHANNEL = 'order_events';

/**
 * Why the shop itself changed an order's status, carried by the change's event (`reason`); the
 * changes customers and admins make carry none.
 */
export type StatusChangeReason = 'PAYMENT_WINDOW_EXPIRED';

/**
 * A status change as clients and the outside world learn of it: its history entry and its event
 * (the transactional outbox), both in the caller's transaction with the change itself. The event
 * holds the order as it is after the change, read in that same transaction.
 */
export async function recordStatusChange(tx: Transaction, orderId: string, status: OrderStatus, reason: StatusChangeReason | null = null): Promise<void> {
  await recordStatus(tx, orderId, status);
  await tx.query(
    `WITH event AS (
     INSERT INTO order_events (order_id, type, schema_version, reason, payload)
     SELECT o.id, $2, $3, $4, jsonb_build_object(
       'id', o.id,
       'userId', o.user_id,
       'status', o.status,
       'items', COALESCE((
         SELECT jsonb_agg(jsonb_build_object(
           'productId', i.product_id, 'quantity', i.quantity,
           'unitPrice', jsonb_build_object('amountCents', i.unit_price_cents, 'currency', i.currency)) ORDER BY i.position)
         FROM order_items i WHERE i.order_id = o.id), '[]'::jsonb),
       'total', jsonb_build_object('amountCents', o.total_cents, 'currency', o.currency))
     FROM orders o WHERE o.id = $1
     RETURNING 1)
     SELECT pg_notify('${ORDER_EVENTS_CHANNEL}', '') FROM event`,
    [orderId, EVENT_OF_STATUS[status], ORDER_EVENT_SCHEMA_VERSION, reason],
  );
}

// The two statements below serve both checkout and status moves; each repository offers them as its own verbs.

/** An order in any state (PLACING and FAILED included); null when there is none. */
export async function selectStoredOrder(db: Queryable, id: string): Promise<StoredOrderRow | null> {
  if (!isUuid(id)) return null;
  const rows = await db.query<StoredOrderRow>(`SELECT ${COLUMNS}, idempotency_key FROM orders WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Products confirmed giving the order's stock back: nothing is owed any more. */
export async function clearStockReleasePending(db: Queryable, orderId: string): Promise<void> {
  await db.query('UPDATE orders SET stock_release_pending = false WHERE id = $1', [orderId]);
}
