import { createSubgraphService, type SubgraphDeps } from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { createProductsRepository } from './products-repository.js';
import { createLoaders } from './loaders.js';
import type { ProductsContext } from './context.js';

/** The products subgraph, ready to listen; tests start it on a free port. */
export function createProductsService(deps: SubgraphDeps) {
  const products = createProductsRepository(deps.db);
  return createSubgraphService<ProductsContext>(deps, {
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (shared) => ({ ...shared, loaders: createLoaders(products), products }),
  });
}
