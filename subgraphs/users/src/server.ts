import {
  createHttpService,
  createTokenVerifier,
  databaseReadiness,
  subgraphSchema,
  viewerFromAuthorization,
  type Database,
  type Logger,
  type TokenRules,
} from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { createUsersRepository } from './users-repository.js';
import { createLoaders } from './loaders.js';
import { createTokenIssuer } from './tokens.js';
import type { SigningKey } from './signing-key.js';
import type { UsersContext } from './context.js';

export interface UsersServiceDeps {
  db: Database;
  logger: Logger;
  signingKey: SigningKey;
  tokenRules: TokenRules;
  tokenTtlSeconds: number;
  sandbox: boolean;
  shutdownTimeoutMs?: number;
}

export const SCHEMA_FILE = new URL('../schema.graphql', import.meta.url);

/** The users subgraph with its routes, ready to listen; tests start it on a free port. */
export function createUsersService(deps: UsersServiceDeps) {
  const users = createUsersRepository(deps.db);
  const tokens = createTokenIssuer(deps.signingKey, deps.tokenRules, deps.tokenTtlSeconds);
  const verifyToken = createTokenVerifier(deps.signingKey.publicKey, deps.tokenRules);
  return createHttpService<UsersContext>({
    logger: deps.logger,
    graphql: { schema: subgraphSchema(SCHEMA_FILE, resolvers) },
    sandbox: deps.sandbox,
    shutdownTimeoutMs: deps.shutdownTimeoutMs,
    context: async ({ req, requestId, logger }) => ({
      requestId,
      logger,
      viewer: await viewerFromAuthorization(req.get('authorization'), verifyToken),
      loaders: createLoaders(users),
      users,
      tokens,
    }),
    readiness: databaseReadiness(deps.db),
    routes: (app) => {
      app.get('/.well-known/jwks.json', (_req, res) => {
        res.setHeader('cache-control', 'public, max-age=300');
        res.json({ keys: [deps.signingKey.publicJwk] });
      });
    },
  });
}
