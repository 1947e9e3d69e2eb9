import {
  createHttpService,
  databaseReadiness,
  subgraphSchema,
  viewerFromAuthorization,
  type Database,
  type Logger,
  type VerifyToken,
} from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { createOrdersRepository } from './orders-repository.js';
import { createLoaders } from './loaders.js';
import type { OrdersContext } from './context.js';

export interface OrdersServiceDeps {
  db: Database;
  logger: Logger;
  verifyToken: VerifyToken;
  sandbox: boolean;
  shutdownTimeoutMs?: number;
}

export const SCHEMA_FILE = new URL('../schema.graphql', import.meta.url);

/** The orders subgraph, ready to listen; tests start it on a free port. */
export function createOrdersService(deps: OrdersServiceDeps) {
  const orders = createOrdersRepository(deps.db);
  return createHttpService<OrdersContext>({
    logger: deps.logger,
    graphql: { schema: subgraphSchema(SCHEMA_FILE, resolvers) },
    sandbox: deps.sandbox,
    shutdownTimeoutMs: deps.shutdownTimeoutMs,
    context: async ({ req, requestId, logger }) => ({
      requestId,
      logger,
      viewer: await viewerFromAuthorization(req.get('authorization'), deps.verifyToken),
      loaders: createLoaders(orders),
      orders,
    }),
    readiness: databaseReadiness(deps.db),
  });
}
