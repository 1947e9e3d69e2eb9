import { configOrExit, runSubgraph, usersTokenVerifier } from '@shop/service-kit';
import { loadConfig } from './config.js';
import { createOrdersService } from './server.js';
import { createOrdersRepository } from './orders-repository.js';
import { createProductsClient } from './products-client.js';
import { createAccountCheck } from './account-check.js';
import { seedDemoOrders } from './seed.js';

const config = configOrExit(() => loadConfig(process.env));

await runSubgraph({
  name: 'orders',
  config,
  migrations: new URL('../migrations/', import.meta.url),
  seed: (db, logger) => seedDemoOrders(createOrdersRepository(db), logger),
  create: (db, logger) =>
    createOrdersService({
      db,
      logger,
      verifyToken: usersTokenVerifier(config),
      sandbox: config.NODE_ENV !== 'production',
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      products: createProductsClient({
        url: config.PRODUCTS_URL,
        serviceCredential: config.SERVICE_CREDENTIAL,
        timeoutMs: config.PRODUCTS_TIMEOUT_MS,
        breaker: {
          resetTimeoutMs: config.PRODUCTS_BREAKER_RESET_MS,
          errorThresholdPercentage: config.PRODUCTS_BREAKER_ERROR_PERCENT,
          volumeThreshold: config.PRODUCTS_BREAKER_MIN_CALLS,
        },
        logger,
      }),
      accounts: createAccountCheck({ url: config.USERS_URL, timeoutMs: config.USERS_TIMEOUT_MS }),
      reconcileAfterMs: config.RECONCILE_AFTER_MS,
      // A first attempt takes at most a reserve and a release: two calls to products.
      waitForAttemptMs: 2 * config.PRODUCTS_TIMEOUT_MS,
      reconcileIntervalMs: config.RECONCILE_INTERVAL_MS,
    }),
});
