import { AppError, defineGauge, ServiceUnavailableError, UnauthenticatedError, type Logger } from '@shop/service-kit';
import type { OrderReads, OrderWithItems } from '../order-reads.js';
import { interruptible } from './interruptible.js';
import { sharedOrderLoads } from './shared-order-loads.js';
import type { OrderEventFeed, OrderEventFilter } from './order-event-feed.js';
import { onExpiry } from './token-expiry.js';

/**
 * What a subscription's source yields: the order as it is after one of its events, with the event's
 * id (which the SSE endpoint sends as the event's id); or, last, the error that ends the stream.
 */
export type OrderUpdate = { eventId: string; order: OrderWithItems } | { error: AppError };

export interface FollowRequest {
  filter: OrderEventFilter;
  /** The event id to resume after; null: from now on. */
  after: number | null;
  /** When the subscriber's token expires (ms since the epoch): the stream ends then, with UNAUTHENTICATED. */
  tokenExpiresAt: number | null;
}

export interface OrderUpdatesOptions {
  feed: OrderEventFeed;
  orders: Pick<OrderReads, 'listOrdersWithItemsByIds'>;
  logger: Logger;
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
 * yields, per event, the order as it is then (read after the event, so at least as new as it). A
 * stream ends with an error event when its token expires (a timer at `exp`) or orders stops, and
 * quietly when its client leaves.
 */
export function createOrderUpdates({ feed, orders, logger }: OrderUpdatesOptions) {
  const orderAfter = sharedOrderLoads(orders);
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
            const order = await orderAfter(notice.orderId, notice.sequence);
            // Gone meanwhile (deleted with its customer's account): nothing left to show.
            if (order) yield { eventId: String(notice.sequence), order };
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
