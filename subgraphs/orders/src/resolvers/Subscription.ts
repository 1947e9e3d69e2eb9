import { BadUserInputError, NotFoundError, requireAdmin, requireViewer, UnauthenticatedError } from '@shop/service-kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import type { OrdersContext } from '../context.js';
import { readableOrder } from '../order-access.js';
import type { OrderRow } from '../order-rows.js';
import type { OrderEventFilter } from '../subscriptions/order-event-feed.js';
import type { OrderUpdate } from '../subscriptions/order-updates.js';
import { parseEventCursor } from '../subscriptions/event-cursor.js';
import { signedInsId } from './id-arguments.js';

/** Follows `filter` for the subscriber of `context`, after `after` (else the Last-Event-ID header, else from now on). */
function follow(filter: OrderEventFilter, after: string | null | undefined, context: OrdersContext) {
  const cursor = after == null ? parseEventCursor(context.lastEventId, 'Last-Event-ID') : parseEventCursor(after, 'after');
  return context.orderUpdates.follow({ filter, after: cursor, tokenExpiresAt: context.tokenExpiresAt ?? null });
}

/**
 * One event's order, as the event recorded it, authorized again for this event: the token must not have expired (the
 * stream's timer ends it at `exp`; this covers an event that comes first), and the order must be
 * readable by the subscriber. The error that ends a stream is thrown here, so it leaves as a field
 * error with its code.
 */
function deliveredOrder(update: OrderUpdate | undefined, _args: unknown, { viewer, tokenExpiresAt, loaders }: OrdersContext): OrderRow {
  // Apollo's POST /graphql executes a subscription as a query, without events.
  if (update === undefined) throw new BadUserInputError('Subscriptions are served over GraphQL over SSE: send them with Accept: text/event-stream');
  if ('error' in update) throw update.error;
  if (tokenExpiresAt != null && Date.now() >= tokenExpiresAt) throw new UnauthenticatedError('The token expired; subscribe again with a new token');
  const order = readableOrder(viewer, update.order) ?? update.order;
  // The order was read with its items (and its history up to the event): Order.items and Order.statusHistory ask nothing more.
  loaders.itemsByOrderId.prime(order.id, update.order.items);
  if (update.statusHistory) loaders.statusHistoryByOrderId.prime(order.id, update.statusHistory);
  return order;
}

export const Subscription: SubscriptionResolvers = {
  orderUpdated: {
    // As order(id): who asks first, then the id's shape, then whose order it is. An unknown id is
    // NOT_FOUND rather than order(id)'s null: a stream has no null to answer with.
    subscribe: async (_parent, { id, after }, context) => {
      const orderId = signedInsId(context.viewer, id);
      const order = readableOrder(context.viewer, await context.loaders.orderById.load(orderId));
      if (!order) throw new NotFoundError(`No order ${orderId}`);
      return follow({ orderId }, after, context);
    },
    resolve: deliveredOrder,
  },

  myOrderUpdates: {
    subscribe: (_parent, { after }, context) => follow({ userId: requireViewer(context.viewer).userId }, after, context),
    resolve: deliveredOrder,
  },

  // @authenticated only (no scope names reading every order): admins are told apart here.
  orderUpdates: {
    subscribe: (_parent, { after }, context) => {
      requireAdmin(context.viewer);
      return follow({ every: true }, after, context);
    },
    resolve: deliveredOrder,
  },
};
