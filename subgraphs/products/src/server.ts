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
import { createProductsRepository } from './products-repository.js';
import { createLoaders } from './loaders.js';
import type { ProductsContext } from './context.js';

export interface ProductsServiceDeps {
  db: Database;
  logger: Logger;
  verifyToken: VerifyToken;
  sandbox: boolean;
  shutdownTimeoutMs?: number;
}

export const SCHEMA_FILE = new URL('../schema.graphql', import.meta.url);

/** The products subgraph, ready to listen; tests start it on a free port. */
export function createProductsService(deps: ProductsServiceDeps) {
  const products = createProductsRepository(deps.db);
  return createHttpService<ProductsContext>({
    logger: deps.logger,
    graphql: { schema: subgraphSchema(SCHEMA_FILE, resolvers) },
    sandbox: deps.sandbox,
    shutdownTimeoutMs: deps.shutdownTimeoutMs,
    context: async ({ req, requestId, logger }) => ({
      requestId,
      logger,
      viewer: await viewerFromAuthorization(req.get('authorization'), deps.verifyToken),
      loaders: createLoaders(products),
      products,
    }),
    readiness: databaseReadiness(deps.db),
  });
}
