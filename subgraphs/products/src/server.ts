import { createSubgraphService, hasServiceCredential, SERVICE_CREDENTIAL_HEADER, type SubgraphDeps } from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { createProductsRepository } from './products-repository.js';
import { createReservationsRepository } from './reservations-repository.js';
import { createStockKeeper } from './stock-keeper.js';
import { createLoaders } from './loaders.js';
import type { ProductsContext } from './context.js';

export interface ProductsServiceDeps extends SubgraphDeps {
  /** The secret orders presents for the internal stock operations. */
  serviceCredential: string;
}

/** The products subgraph, ready to listen; tests start it on a free port. */
export function createProductsService(deps: ProductsServiceDeps) {
  const products = createProductsRepository(deps.db);
  const stock = createStockKeeper(deps.db, createReservationsRepository());
  return createSubgraphService<ProductsContext>(deps, {
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    context: (shared, req) => ({
      ...shared,
      loaders: createLoaders(products),
      products,
      stock,
      internalCaller: hasServiceCredential(req.get(SERVICE_CREDENTIAL_HEADER), deps.serviceCredential),
    }),
  });
}
