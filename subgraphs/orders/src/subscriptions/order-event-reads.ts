import type { Queryable } from '@shop/service-kit';
import { recordedOrderOf, type OrderEventFilter, type OrderEventNotice } from './order-event-feed.js';

interface NoticeRow {
  seq: string;
  order_id: string;
  user_id: string;
  occurred_at: Date;
  payload: unknown;
}

// seq leaves as text (a bigint); notices carry it as a number, safe far beyond any outbox's size.
// The payload and the time are the order as the event recorded it, which is what the subscription delivers.
const NOTICE_COLUMNS = 'e.seq::text AS seq, e.order_id, o.user_id, e.occurred_at, e.payload';
const noticeOf = (row: NoticeRow): OrderEventNotice => ({
  sequence: Number(row.seq),
  orderId: row.order_id,
  userId: row.user_id,
  recorded: recordedOrderOf(row.payload, row.occurred_at),
});

/** What subscriptions read of the outbox (`order_events`) when there is no NATS: SQL only. */
export function createOrderEventReads(db: Queryable) {
  return {
    /** The newest event's sequence (0 when there is none): where following from now on starts. */
    async lastSequence(): Promise<number> {
      const [row] = await db.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM order_events');
      return Number(row?.seq ?? 0);
    },

    /** Events of any order after `after`, oldest first: what the outbox tail hands to its followers. */
    async listEventsAfter(after: number, limit: number): Promise<OrderEventNotice[]> {
      const rows = await db.query<NoticeRow>(
        `SELECT ${NOTICE_COLUMNS} FROM order_events e JOIN orders o ON o.id = e.order_id
         WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
        [after, limit],
        { prepare: true },
      );
      return rows.map(noticeOf);
    },

    /** Events matching `filter` in (after, upTo], oldest first: a resumed subscription's catching up. */
    async listMatchingEvents(filter: OrderEventFilter, after: number, upTo: number, limit: number): Promise<OrderEventNotice[]> {
      const rows = await db.query<NoticeRow>(
        `SELECT ${NOTICE_COLUMNS} FROM order_events e JOIN orders o ON o.id = e.order_id
         WHERE e.seq > $1 AND e.seq <= $2 AND ($3::uuid IS NULL OR e.order_id = $3) AND ($4::uuid IS NULL OR o.user_id = $4)
         ORDER BY e.seq LIMIT $5`,
        [after, upTo, 'orderId' in filter ? filter.orderId : null, 'userId' in filter ? filter.userId : null, limit],
      );
      return rows.map(noticeOf);
    },
  };
}

export type OrderEventReads = ReturnType<typeof createOrderEventReads>;
