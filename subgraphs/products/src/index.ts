import { configOrExit, runSubgraph, usersTokenVerifier } from '@shop/service-kit';
import { loadConfig } from './config.js';
import { createProductsService } from './server.js';
import { seedDemoProducts } from './seed.js';

const config = configOrExit(() => loadConfig(process.env));

await runSubgraph({
  name: 'products',
  config,
  migrations: new URL('../migrations/', import.meta.url),
  seed: (db, logger) => seedDemoProducts(db, logger),
  create: (db, logger) =>
    createProductsService({
      db,
      logger,
      verifyToken: usersTokenVerifier(config),
      serviceCredential: config.SERVICE_CREDENTIAL,
      sandbox: config.NODE_ENV !== 'production',
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    }),
});
