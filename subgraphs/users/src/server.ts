import { createSubgraphService, createTokenVerifier, type SubgraphDeps, type TokenRules } from '@shop/service-kit';
import { resolvers } from './resolvers/index.js';
import { createUsersRepository } from './users-repository.js';
import { createLoaders } from './loaders.js';
import { createTokenIssuer } from './tokens.js';
import { createSessions } from './sessions.js';
import type { SigningKey } from './signing-key.js';
import type { UsersContext } from './context.js';
import { createPasswordHasher, type PasswordHasherOptions } from './password-hasher.js';

export interface UsersServiceDeps extends Omit<SubgraphDeps, 'verifyToken'> {
  signingKey: SigningKey;
  tokenRules: TokenRules;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** The cost of password hashes and how many run at once. */
  passwordHashing: PasswordHasherOptions;
}

/**
 * The users subgraph, with its JWKS route, ready to listen; tests start it on a free port. Its
 * sessions and password hasher come along, for the production start's demo account check and for tests.
 */
export async function createUsersService(deps: UsersServiceDeps) {
  const users = createUsersRepository(deps.db);
  const tokens = createTokenIssuer(deps.signingKey, deps.tokenRules, deps.accessTokenTtlSeconds);
  const sessions = createSessions({ db: deps.db, tokens, refreshTtlSeconds: deps.refreshTokenTtlSeconds });
  const passwords = createPasswordHasher(deps.passwordHashing);
  // Users checks its own tokens with the public key it holds: no round trip to its own JWKS.
  const verifyToken = createTokenVerifier(deps.signingKey.publicKey, deps.tokenRules);
  const service = await createSubgraphService<UsersContext>(
    { ...deps, verifyToken },
    {
      schemaFile: new URL('../schema.graphql', import.meta.url),
      resolvers,
      context: (shared) => ({ ...shared, loaders: createLoaders(users), users, sessions, passwords }),
      routes: (app) => {
        // The gateway's feed of sessions whose access tokens it must refuse (random session ids,
        // nothing about their users). Like the JWKS, served only inside the deployment: users is
        // never published (Compose and Kubernetes expose the gateway alone).
        app.get('/sessions/revocations', async (req, res, next) => {
          const after = typeof req.query.after === 'string' && /^\d{1,18}$/.test(req.query.after) ? req.query.after : '0';
          try {
            res.setHeader('cache-control', 'no-store');
            res.json({ revocations: await sessions.revocationsAfter(after) });
          } catch (error) {
            next(error);
          }
        });
        app.get('/.well-known/jwks.json', (_req, res) => {
          res.setHeader('cache-control', 'public, max-age=300');
          res.json({ keys: [deps.signingKey.publicJwk] });
        });
      },
    },
  );
  return { ...service, users, sessions, passwords };
}
