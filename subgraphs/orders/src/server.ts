import { createSubgraphService, type SubgraphDeps } from '@shop/service-kit';
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
  /** Where order events are published; without it they wait in the outbox. */
  eventRelay?: Omit<EventRelayOptions, 'db' | 'logger'>;
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
  const service = await createSubgraphService<OrdersContext>(deps, {
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (shared, req) => ({
      ...shared,
      loaders: createLoaders(orders, webhookStore),
      orders,
      checkout,
      lifecycle,
      webhooks,
      requireAccount: (viewer) =>
        deps.accounts.requireAccount(viewer, { authorization: req.get('authorization'), logger: shared.logger }),
    }),
  });
  const stopReconciling = deps.reconcileIntervalMs === undefined ? async () => {} : reconciler.start(deps.reconcileIntervalMs);
  const relay = deps.eventRelay ? startEventRelay({ ...deps.eventRelay, db: deps.db, logger: deps.logger }) : undefined;
  // A written event wakes whoever reads the outbox: the relay to NATS, or else the webhooks themselves.
  const stopListening = await deps.db.listen(ORDER_EVENTS_CHANNEL, relay ? relay.wake : dispatcher.wake);
  const feed = deps.eventRelay
    ? startWebhookStreamFeed({ ...deps.eventRelay, consumer, queue: (eventId) => dispatcher.queue(eventId), retryMs: deps.webhooks.pollMs, logger: deps.logger })
    : undefined;
  return {
    ...service,
    reconciler,
    /** Its client to products (whose breaker state tests read). */
    products: deps.products,
    async stop() {
      // The background work stops side by side, and one that fails to stop keeps none of the others running.
      const stopped = await Promise.allSettled([stopReconciling(), stopListening(), relay?.stop(), feed?.stop().then(() => dispatcher.stop())]);
      for (const result of stopped) if (result.status === 'rejected') deps.logger.warn({ err: result.reason as unknown }, 'a background task of orders did not stop cleanly');
      await service.stop();
      deps.products.close();
    },
  };
}
