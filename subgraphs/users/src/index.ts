import { configOrExit, runSubgraph } from '@shop/service-kit';
import { loadConfig } from './config.js';
import { createUsersService } from './server.js';
import { developmentSigningKey, signingKeyFromPem } from './signing-key.js';
import { createUsersRepository } from './users-repository.js';
import { refuseDemoPasswords, seedDemoUsers } from './seed.js';

const config = configOrExit(() => loadConfig(process.env));

await runSubgraph({
  name: 'users',
  config,
  migrations: new URL('../migrations/', import.meta.url),
  seed: (db, logger) => seedDemoUsers(createUsersRepository(db), logger),
  create: async (db, logger) => {
    if (config.NODE_ENV === 'production') await refuseDemoPasswords(createUsersRepository(db));
    return createUsersService({
      db,
      logger,
      signingKey: config.JWT_PRIVATE_KEY
        ? await signingKeyFromPem(config.JWT_PRIVATE_KEY.replaceAll('\\n', '\n'))
        : await developmentSigningKey(config.DATA_DIR),
      tokenRules: { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
      sandbox: config.NODE_ENV !== 'production',
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
  },
});
