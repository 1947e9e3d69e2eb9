import { AppError, defineGauge, ServiceUnavailableError, UnauthenticatedError, type Logger } from '@shop/service-kit';
import type { OrderReads, OrderWithItems } from '../order-reads.js';
import type { StatusChangeRow } from '../order-rows.js';
import { interruptible } from './interruptible.js';
import { sharedOrderLoads, sharedStatusHistoryLoads } from './shared-order-loads.js';
import type { OrderEventFeed, OrderEventFilter, RecordedOrder } from './order-event-feed.js';
import { onExpiry } from './token-expiry.js';

/**
 * What a subscription's source yields: the order as it was after one of its events, with the
 * event's id (which the SSE endpoint sends as the event's id) and the order's status history up to
 * that event (absent when the event recorded nothing readable: the order is then as it is now, its
 * history read as any order's), and when the change was committed (the time its transaction wrote
 * it, ISO 8601; absent likewise); or, last, the error that ends the stream.
 */
export type OrderUpdate = { eventId: string; order: OrderWithItems; statusHistory?: StatusChangeRow[]; committedAt?: string } | { error: AppError };

export interface FollowRequest {
  filter: OrderEventFilter;
  /** The event id to resume after; null: from now on. */
  after: number | null;
  /** When the subscriber's token expires (ms since the epoch): the stream ends then, with UNAUTHENTICATED. */
  tokenExpiresAt: number | null;
}

export interface OrderUpdatesOptions {
  feed: OrderEventFeed;
  orders: Pick<OrderReads, 'listOrdersWithItemsByIds' | 'listStatusHistoryByOrderIds'>;
  logger: Logger;
}

/**
 * The order as `recorded` by its event: the status, total and items the event holds, changed at
 * the event's time; the rest (id, customer, creation) from the order's row as it is now.
 */
export function orderAsRecorded(current: OrderWithItems, recorded: RecordedOrder): OrderWithItems {
  return {
    ...current,
    status: recorded.status,
    total_cents: recorded.totalCents,
    currency: recorded.currency,
    updated_at: recorded.occurredAt,
    items: recorded.items.map((item, index) => ({
      order_id: current.id,
      position: index + 1,
      product_id: item.productId,
      quantity: item.quantity,
      unit_price_cents: item.unitPriceCents,
      currency: item.currency,
    })),
  };
}

/**
 * `history` (oldest first) up to the change `recorded` by an event: a change and its event are
 * written in one transaction, so at the same time (`now()`); the changes up to then, ending at the
 * last one to the event's status (times are read to the millisecond, so a later change can share
 * the event's millisecond; an order never returns to a status it left).
 */
export function historyUpTo(history: readonly StatusChangeRow[], recorded: RecordedOrder): StatusChangeRow[] {
  const at = recorded.occurredAt.getTime();
  const upTo = history.filter((change) => change.changed_at.getTime() <= at);
  const last = upTo.findLastIndex((change) => change.status === recorded.status);
  return last === -1 ? upTo : upTo.slice(0, last + 1);
}

/** Why a stream's events stopped. */
const CLIENT_LEFT = Symbol('the client left');
const FINISHED = Symbol('the stream ended');
const TOKEN_EXPIRED = Symbol('the token expired');
const STOPPING = Symbol('orders is stopping');

const RESUME = 'subscribe again with `after` set to the last event id received';

/** The error a stream ends with, for why its events stopped; none when the client left. */
function endingError(reason: unknown): AppError | undefined {
  if (reason === TOKEN_EXPIRED) return new UnauthenticatedError(`The token expired; ${RESUME}, with a new token`);
  if (reason === STOPPING) return new ServiceUnavailableError(`This orders replica is stopping; ${RESUME}`);
  return undefined;
}

/**
 * The streams behind the Subscription fields: each follows the order events of its filter and
 * yields, per event, the order as that event recorded it (its status, total, items and time, and
 * its history up to then; the rest read after the event), so a client resuming after several
 * changes sees each as it was. A
 * stream ends with an error event when its token expires (a timer at `exp`) or orders stops, and
 * quietly when its client leaves.
 */
export function createOrderUpdates({ feed, orders, logger }: OrderUpdatesOptions) {
  const orderAfter = sharedOrderLoads(orders);
  const historyAfter = sharedStatusHistoryLoads(orders);
  const open = new Set<AbortController>();
  const active = defineGauge({ name: 'orders_subscriptions_active', help: 'Subscriptions open on this replica of orders' });
  let stopping = false;

  return {
    /** Starts following (nothing recorded from now on is missed) and resolves with the stream. */
    async follow(request: FollowRequest): Promise<AsyncIterableIterator<OrderUpdate>> {
      if (stopping) throw new ServiceUnavailableError(`This orders replica is stopping; ${RESUME}`);
      const ended = new AbortController();
      const events = await feed.follow(request.filter, request.after, ended.signal);
      open.add(ended);
      active.inc();
      const cancelExpiry = request.tokenExpiresAt === null ? () => {} : onExpiry(request.tokenExpiresAt, () => ended.abort(TOKEN_EXPIRED));
      ended.signal.addEventListener(
        'abort',
        () => {
          cancelExpiry();
          open.delete(ended);
          active.dec();
        },
        { once: true },
      );

      async function* updates(): AsyncGenerator<OrderUpdate, void> {
        try {
          for await (const notice of events) {
            const { recorded } = notice;
            // Both read at once, each shared with the event's other subscriptions.
            const [order, history] = await Promise.all([
              orderAfter(notice.orderId, notice.sequence),
              recorded ? historyAfter(notice.orderId, notice.sequence) : undefined,
            ]);
            // Gone meanwhile (deleted with its customer's account): nothing left to show.
            if (!order) continue;
            const eventId = String(notice.sequence);
            yield recorded && history
              ? { eventId, order: orderAsRecorded(order, recorded), statusHistory: historyUpTo(history, recorded), committedAt: recorded.occurredAt.toISOString() }
              : { eventId, order };
          }
          // The events stop only when `ended` aborts: say why, unless the client itself left.
          const error = endingError(ended.signal.reason);
          if (error) yield { error };
        } catch (error) {
          if (ended.signal.reason === CLIENT_LEFT) return;
          if (!(error instanceof AppError)) logger.error({ err: error }, 'a subscription failed');
          yield { error: error instanceof AppError ? error : new ServiceUnavailableError(`Order events cannot be read right now; ${RESUME}`) };
        } finally {
          if (!ended.signal.aborted) ended.abort(FINISHED);
        }
      }
      return interruptible(updates(), () => ended.abort(CLIENT_LEFT));
    },

    /** Subscriptions open on this replica. */
    active: () => open.size,

    /** Ends every stream with SERVICE_UNAVAILABLE (the client resumes on another replica) and takes no new one. */
    stop(): void {
      stopping = true;
      for (const stream of open) stream.abort(STOPPING);
    },
  };
}

export type OrderUpdates = ReturnType<typeof createOrderUpdates>;
