import { configOrExit, runSubgraph, usersTokenVerifier } from '@shop/service-kit';
import { loadConfig } from './config.js';
import { createOrdersService } from './server.js';
import { createOrdersRepository } from './orders-repository.js';
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
    }),
});
