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
import type { ProductsClient } from './products-client.js';
import type { AccountCheck } from './account-check.js';
import type { OrdersContext } from './context.js';

export interface OrdersServiceDeps extends SubgraphDeps {
  products: ProductsClient;
  /** Asks users whether a signed-in user still exists before an order is written for them. */
  accounts: AccountCheck;
  /** A PLACING order older than this is reconciled (its placing process is gone). */
  reconcileAfterMs: number;
  /** How long a repeated createOrder waits for the first attempt with its key (about as long as that attempt can take). */
  waitForAttemptMs: number;
  /** How often to reconcile in the background; undefined runs it only when asked (tests). */
  reconcileIntervalMs?: number;
  /** Where order events are published; without it they wait in the outbox. */
  eventRelay?: Omit<EventRelayOptions, 'db' | 'logger'>;
}

/** The orders subgraph, ready to listen, with its reconciler; tests start it on a free port. */
export async function createOrdersService(deps: OrdersServiceDeps) {
  const orders = createOrderReads(deps.db);
  const placing = createCheckoutWrites(deps.db);
  const checkout = createCheckout({ orders: placing, products: deps.products, waitForAttemptMs: deps.waitForAttemptMs });
  const lifecycle = createOrderLifecycle({ orders: createStatusMoves(deps.db), products: deps.products });
  const reconciler = createReconciler({ orders: placing, products: deps.products, logger: deps.logger, stuckAfterMs: deps.reconcileAfterMs });
  const service = await createSubgraphService<OrdersContext>(deps, {
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (shared, req) => ({
      ...shared,
      loaders: createLoaders(orders),
      orders,
      checkout,
      lifecycle,
      requireAccount: (viewer) =>
        deps.accounts.requireAccount(viewer, { authorization: req.get('authorization'), logger: shared.logger }),
    }),
  });
  const stopReconciling = deps.reconcileIntervalMs === undefined ? async () => {} : reconciler.start(deps.reconcileIntervalMs);
  const relay = deps.eventRelay ? startEventRelay({ ...deps.eventRelay, db: deps.db, logger: deps.logger }) : undefined;
  return {
    ...service,
    reconciler,
    /** Its client to products (whose breaker state tests read). */
    products: deps.products,
    async stop() {
      await stopReconciling();
      await relay?.stop();
      await service.stop();
      deps.products.close();
    },
  };
}
