import { createSubgraphService, type SubgraphContext, type SubgraphDeps } from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { createOrderReads } from './order-reads.js';
import { createCheckoutWrites } from './checkout-writes.js';
import { createStatusMoves } from './status-moves.js';
import { createLoaders } from './loaders.js';
import { createCheckout } from './checkout.js';
import { createOrderLifecycle } from './order-lifecycle.js';
import { createReconciler } from './reconciler.js';
import { startEventRelay, type EventRelayOptions } from './event-relay.js';
import { createWebhookStore } from './webhook-store.js';
import { ORDER_EVENTS_CHANNEL } from './order-sql.js';
import { createWebhookAdmin } from './webhook-admin.js';
import { createWebhookSender } from './webhook-sender.js';
import { startWebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
import { startWebhookStreamFeed } from './webhook-stream-feed.js';
import type { TargetPolicy } from './webhook-targets.js';
import { createOutboxEventFeed } from './subscriptions/outbox-event-feed.js';
import { createStreamEventFeed } from './subscriptions/stream-event-feed.js';
import { createOrderUpdates } from './subscriptions/order-updates.js';
import { sseEndpoint } from './subscriptions/sse-endpoint.js';
import type { ProductsClient } from './products-client.js';
import type { AccountCheck } from './account-check.js';
import type { OrdersContext } from './context.js';

export interface OrdersServiceDeps extends SubgraphDeps {
  products: ProductsClient;
  /** Asks users whether a signed-in user still exists before an order is written for them. */
  accounts: AccountCheck;
  /** A PLACING order older than this is reconciled (its placing process is gone). */
  reconcileAfterMs: number;
  /** A PENDING order unpaid for longer than this is cancelled by the reconciler, its stock given back. */
  paymentWindowMs: number;
  /** Open orders (being placed, or PENDING) one customer may have; createOrder past it is CONFLICT. */
  maxOpenOrdersPerCustomer: number;
  /** How long a repeated createOrder waits for the first attempt with its key (about as long as that attempt can take). */
  waitForAttemptMs: number;
  /** How often to reconcile in the background; undefined runs it only when asked (tests). */
  reconcileIntervalMs?: number;
  /** Where order events are published; without it they wait in the outbox. Subscriptions read them from there too. */
  eventRelay?: Omit<EventRelayOptions, 'db' | 'logger'>;
  /** Without `eventRelay`: how often subscriptions read the outbox, besides when an event's NOTIFY wakes them (ORDER_EVENTS_POLL_MS). */
  outboxPollMs: number;
  /** How webhooks are delivered; with `eventRelay`, events reach them through the stream's durable `consumer`. */
  webhooks: Pick<WebhookDispatcherOptions, 'retrySchedule' | 'timeoutMs' | 'concurrency' | 'pollMs'> & { policy: TargetPolicy; consumer: string };
}

/** The orders subgraph, ready to listen, with its reconciler; tests start it on a free port. */
export async function createOrdersService(deps: OrdersServiceDeps) {
  const orders = createOrderReads(deps.db);
  const placing = createCheckoutWrites(deps.db);
  const checkout = createCheckout({ orders: placing, products: deps.products, waitForAttemptMs: deps.waitForAttemptMs, maxOpenOrders: deps.maxOpenOrdersPerCustomer });
  const moves = createStatusMoves(deps.db);
  const lifecycle = createOrderLifecycle({ orders: moves, products: deps.products });
  const reconciler = createReconciler({
    orders: placing,
    moves,
    products: deps.products,
    logger: deps.logger,
    stuckAfterMs: deps.reconcileAfterMs,
    paymentWindowMs: deps.paymentWindowMs,
  });
  const webhookStore = createWebhookStore(deps.db);
  const { policy, consumer, ...delivery } = deps.webhooks;
  const dispatcher = startWebhookDispatcher({
    ...delivery,
    store: webhookStore,
    sender: createWebhookSender({ timeoutMs: delivery.timeoutMs, policy }),
    // With NATS, a minute for the stream to hand an event over before the outbox is read for it.
    ...(deps.eventRelay ? { missedByStreamAfterMs: 60_000 } : {}),
    logger: deps.logger,
  });
  const webhooks = createWebhookAdmin({ store: webhookStore, policy, onDue: dispatcher.wake });
  // Subscriptions read the events orders records: the stream every replica shares, else the outbox.
  const eventFeed = deps.eventRelay
    ? createStreamEventFeed({ ...deps.eventRelay, logger: deps.logger })
    : createOutboxEventFeed({ db: deps.db, pollMs: deps.outboxPollMs, logger: deps.logger });
  const orderUpdates = createOrderUpdates({ feed: eventFeed, orders, logger: deps.logger });
  /** What resolvers get, per request on /graphql and per subscription over SSE. */
  const requestContext = (shared: SubgraphContext, authorization: string | undefined): OrdersContext => ({
    ...shared,
    loaders: createLoaders(orders, webhookStore),
    orders,
    checkout,
    lifecycle,
    webhooks,
    orderUpdates,
    requireAccount: (viewer) => deps.accounts.requireAccount(viewer, { authorization, logger: shared.logger }),
  });
  const service = await createSubgraphService<OrdersContext>(deps, {
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (shared, req) => requestContext(shared, req.get('authorization')),
    routes: (app, schema) => {
      app.use(
        '/graphql',
        sseEndpoint<OrdersContext>({
          schema,
          verifyToken: deps.verifyToken,
          logger: deps.logger,
          context: ({ req, requestId, logger, viewer, tokenExpiresAt, lastEventId }) => ({
            ...requestContext({ requestId, logger, viewer }, req.get('authorization')),
            tokenExpiresAt,
            ...(lastEventId === undefined ? {} : { lastEventId }),
          }),
          eventContext: (subscription) => ({ ...subscription, loaders: createLoaders(orders, webhookStore) }),
        }),
      );
    },
  });
  const stopReconciling = deps.reconcileIntervalMs === undefined ? async () => {} : reconciler.start(deps.reconcileIntervalMs);
  const relay = deps.eventRelay ? startEventRelay({ ...deps.eventRelay, db: deps.db, logger: deps.logger }) : undefined;
  // A written event wakes whoever reads the outbox: the relay to NATS, or else the webhooks and the subscriptions themselves.
  const stopListening = await deps.db.listen(ORDER_EVENTS_CHANNEL, () => {
    if (relay) relay.wake();
    else dispatcher.wake();
    eventFeed.wake();
  });
  const feed = deps.eventRelay
    ? startWebhookStreamFeed({ ...deps.eventRelay, consumer, queue: (eventId) => dispatcher.queue(eventId), retryMs: deps.webhooks.pollMs, logger: deps.logger })
    : undefined;
  return {
    ...service,
    reconciler,
    /** Its client to products (whose breaker state tests read). */
    products: deps.products,
    orderUpdates,
    async stop() {
      // Open subscriptions end first, with SERVICE_UNAVAILABLE: their clients resume on another replica.
      orderUpdates.stop();
      // The background work stops side by side, and one that fails to stop keeps none of the others running.
      const stopped = await Promise.allSettled([stopReconciling(), stopListening(), relay?.stop(), feed?.stop().then(() => dispatcher.stop()), eventFeed.stop()]);
      for (const result of stopped) if (result.status === 'rejected') deps.logger.warn({ err: result.reason as unknown }, 'a background task of orders did not stop cleanly');
      await service.stop();
      deps.products.close();
    },
  };
}
