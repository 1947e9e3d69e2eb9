import { subgraphLayout, type SubgraphServiceDefinition } from '@shop/service-kit/definitions';
import type { ProductsConfig } from './config.js';

/**
 * The products subgraph: the catalogue, prices and stock. What it runs on is imported only when
 * it is needed, so reading this definition (`npm start`) loads no service.
 */
export const productsService = {
  name: 'products',
  ...subgraphLayout(import.meta.url),
  loadConfig: async (env) => (await import('./config.js')).loadConfig(env),
  seed: async (db, logger) => (await import('./seed.js')).seedDemoProducts(db, logger),
  async create(db, config, logger) {
    const [{ createProductsService }, { usersTokenVerifier }] = await Promise.all([import('./server.js'), import('@shop/service-kit')]);
    return createProductsService({
      db,
      logger,
      verifyToken: usersTokenVerifier(config),
      serviceCredential: config.SERVICE_CREDENTIAL,
      sandbox: config.NODE_ENV !== 'production',
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
  },
} satisfies SubgraphServiceDefinition<ProductsConfig>;
