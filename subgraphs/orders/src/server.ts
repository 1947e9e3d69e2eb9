import { createSubgraphService, type SubgraphDeps } from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { createOrdersRepository } from './orders-repository.js';
import { createLoaders } from './loaders.js';
import type { OrdersContext } from './context.js';

/** The orders subgraph, ready to listen; tests start it on a free port. */
export function createOrdersService(deps: SubgraphDeps) {
  const orders = createOrdersRepository(deps.db);
  return createSubgraphService<OrdersContext>(deps, {
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (shared) => ({ ...shared, loaders: createLoaders(orders), orders }),
  });
}
