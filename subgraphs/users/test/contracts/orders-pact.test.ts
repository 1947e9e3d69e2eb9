import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifierOptions } from '@pact-foundation/pact';
import { migrate, type Database, type RunnableService } from '@shop/service-kit';
import { openEmptyPglite } from '../../../../service-kit/test/support/empty-database.js';
import { testLogger } from '../../../../test/support/logger.js';
import { verifyPacts } from '../../../../test/support/pact.js';
import { newSigningKeyPem, signToken } from '../../../../test/support/tokens.js';
import { signingKeyFromPem, type SigningKey } from '../../src/signing-key.js';
import { usersService } from '../../src/service.js';

/** Opening PGlite, migrating and verifying every interaction: a few seconds, more on a busy machine. */
const TIMEOUT = 60_000;
/** The stand-in orders' pact carries where the caller's token goes; replaced by a token users signed. */
const PACT_TOKEN = 'Bearer a-token-of-the-user';

/** The user id a provider state names, as the pact gives it. */
function userIdOf(params: unknown): string {
  const userId = (params as { userId?: unknown } | undefined)?.userId;
  if (typeof userId !== 'string') throw new Error(`provider state parameter userId must be a string; the pact gives ${JSON.stringify(userId)}`);
  return userId;
}

/**
 * users keeps what orders relies on in its account check (contracts/pacts/orders-users.json,
 * written by orders' client tests): each interaction replayed against the real users service, its
 * schema, resolvers, token check and database, with the provider state set up first.
 */
describe('contract: users verifies the pact orders holds with it (provider)', { timeout: TIMEOUT }, () => {
  let db: Database;
  let users: RunnableService;
  let url: string;
  let key: SigningKey;
  /** The token the current interaction's requests carry in place of the pact's stand-in. */
  let token: string | undefined;

  beforeAll(async () => {
    db = await openEmptyPglite();
    await migrate(db, fileURLToPath(usersService.migrations));
    const pem = newSigningKeyPem();
    key = await signingKeyFromPem(pem);
    users = await usersService.create(db, await usersService.loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', JWT_PRIVATE_KEY: pem }), testLogger('users'));
    url = await users.listen(0, '127.0.0.1');
  }, TIMEOUT);
  afterAll(async () => {
    await users?.stop();
    await db?.close();
  });

  /** A token as users issues it, for `userId`, whether or not users has that user. */
  const tokenFor = (userId: string) => signToken(key.privateKey, key.kid, { sub: userId, role: 'CUSTOMER' });
  const reset = () => db.exec('TRUNCATE users CASCADE');

  const stateHandlers: VerifierOptions['stateHandlers'] = {
    'the user exists': async (params) => {
      const userId = userIdOf(params);
      await reset();
      await db.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, 'contract@example.com', 'Contract', 'not-a-password-hash')`, [userId]);
      token = await tokenFor(userId);
    },
    'the user does not exist': async (params) => {
      await reset();
      token = await tokenFor(userIdOf(params));
    },
  };
  const requestFilter: VerifierOptions['requestFilter'] = (req, _res, next) => {
    if (req.headers.authorization === PACT_TOKEN && token) req.headers.authorization = `Bearer ${token}`;
    next();
  };

  it("answers every interaction of orders' pact as orders relies on", async () => {
    token = undefined;
    await expect(verifyPacts({ provider: 'users', providerBaseUrl: url, stateHandlers, requestFilter })).resolves.toBeTruthy();
  });
});
