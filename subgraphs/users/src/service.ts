import { subgraphLayout, type SubgraphServiceDefinition } from '@shop/service-kit/definitions';
import type { UsersConfig } from './config.js';

/**
 * The users subgraph: accounts, sign-in, roles; issues the shop's tokens. What it runs on is
 * imported only when it is needed, so reading this definition (`npm start`) loads no service.
 */
export const usersService = {
  name: 'users',
  ...subgraphLayout(import.meta.url),
  loadConfig: async (env) => (await import('./config.js')).loadConfig(env),
  async seed(db, logger) {
    const [{ seedDemoUsers }, { createUsersRepository }] = await Promise.all([import('./seed.js'), import('./users-repository.js')]);
    await seedDemoUsers(createUsersRepository(db), logger);
  },
  async create(db, config, logger) {
    const [{ createUsersService }, { developmentSigningKey, signingKeyFromPem }, { disableDemoAccountsWithPublishedPasswords }, { MINIMAL_SCRYPT_FOR_TESTS, OWASP_SCRYPT }] =
      await Promise.all([import('./server.js'), import('./signing-key.js'), import('./seed.js'), import('./passwords.js')]);
    const service = await createUsersService({
      db,
      logger,
      signingKey: config.JWT_PRIVATE_KEY
        ? await signingKeyFromPem(config.JWT_PRIVATE_KEY.replaceAll('\\n', '\n'))
        : await developmentSigningKey(config.DATA_DIR),
      tokenRules: { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      passwordHashing: {
        params: config.PASSWORD_HASH_COST === 'owasp' ? OWASP_SCRYPT : MINIMAL_SCRYPT_FOR_TESTS,
        concurrency: config.PASSWORD_HASH_CONCURRENCY,
        queueLength: config.PASSWORD_HASH_QUEUE,
      },
      sandbox: config.NODE_ENV !== 'production',
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
    if (config.NODE_ENV === 'production') {
      await disableDemoAccountsWithPublishedPasswords({ users: service.users, endSessionsOf: (userId, tx) => service.sessions.endAllOf(userId, tx), logger });
    }
    return service;
  },
} satisfies SubgraphServiceDefinition<UsersConfig>;
