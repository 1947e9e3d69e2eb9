import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { testLogger } from '../../../../test/support/logger.js';
import { consumerContract, UPDATE_COMMAND, type ConsumerContract } from '../../../../test/support/pact.js';
import { createAccountCheck } from '../../src/account-check.js';

const { like, regex, uuid } = MatchersV3;

/**
 * What orders asks users before it writes an order (the account check: `me` with the caller's own
 * token) and what it relies on in the answer, recorded by orders' real account check against
 * Pact's mock server (contracts/pacts/orders-users.json). users verifies the same file against its
 * real service (subgraphs/users/test/contracts/).
 */

// The example the provider states are set up with (users' verification reads it from the pact).
const USER = '9f3b2a1c-4d5e-4f60-8a7b-1c2d3e4f5a6b';
/** A stand-in users' verification replaces with a token it signs for the state's user: the pact holds no token. */
const TOKEN_OF_THE_USER = 'Bearer a-token-of-the-user';
/** No token at all, left as it is by the verification: users must refuse it. */
const NOT_A_TOKEN = 'Bearer not-a-token';
const ME = '{ me { id } }';

const viewer = { userId: USER, role: 'CUSTOMER' as const, scopes: [] };
const request = (authorization: string) => ({ authorization, logger: testLogger('orders') });

describe('contract: orders -> users (consumer)', () => {
  let contract: ConsumerContract;
  beforeAll(async () => {
    contract = await consumerContract('users');
  });
  afterAll(() => contract.cleanup());

  it('confirms the account of a signed-in user users has', async () => {
    await contract.pact
      .addGraphQLInteraction()
      // orders sends `variables` even when empty, and Pact holds a request to exactly its keys.
      .withVariables({})
      .given('the user exists', { userId: USER })
      .uponReceiving('an account check for a user users has')
      .withRequest('POST', '/graphql', (builder) => builder.headers({ authorization: regex(/^Bearer \S+$/, TOKEN_OF_THE_USER) }))
      .withQuery(ME)
      // orders compares the id with the token's subject: the state's user is that subject.
      .willRespondWith(200, (response) => response.jsonBody({ data: { me: { id: uuid(USER) } } }))
      .executeTest(async (server) => {
        await expect(createAccountCheck({ url: server.url, timeoutMs: 5_000 }).requireAccount(viewer, request(TOKEN_OF_THE_USER))).resolves.toBeUndefined();
      });
  });

  it('refuses (UNAUTHENTICATED) a validly signed token whose user users does not have', async () => {
    await contract.pact
      .addGraphQLInteraction()
      // orders sends `variables` even when empty, and Pact holds a request to exactly its keys.
      .withVariables({})
      .given('the user does not exist', { userId: USER })
      .uponReceiving('an account check for a user users does not have')
      .withRequest('POST', '/graphql', (builder) => builder.headers({ authorization: regex(/^Bearer \S+$/, TOKEN_OF_THE_USER) }))
      .withQuery(ME)
      .willRespondWith(200, (response) => response.jsonBody({ data: { me: null } }))
      .executeTest(async (server) => {
        await expect(createAccountCheck({ url: server.url, timeoutMs: 5_000 }).requireAccount(viewer, request(TOKEN_OF_THE_USER))).rejects.toMatchObject({
          extensions: { code: 'UNAUTHENTICATED' },
        });
      });
  });

  it('refuses (UNAUTHENTICATED) when users refuses the token itself', async () => {
    await contract.pact
      .addGraphQLInteraction()
      // orders sends `variables` even when empty, and Pact holds a request to exactly its keys.
      .withVariables({})
      // Whatever the token names: users has the user, and still refuses what is no token of its own.
      .given('the user exists', { userId: USER })
      .uponReceiving('an account check with a token users refuses')
      .withRequest('POST', '/graphql', (builder) => builder.headers({ authorization: NOT_A_TOKEN }))
      .withQuery(ME)
      .willRespondWith(401, (response) => response.jsonBody({ errors: [{ message: like('refused'), extensions: { code: 'UNAUTHENTICATED' } }] }))
      .executeTest(async (server) => {
        await expect(createAccountCheck({ url: server.url, timeoutMs: 5_000 }).requireAccount(viewer, request(NOT_A_TOKEN))).rejects.toMatchObject({
          extensions: { code: 'UNAUTHENTICATED' },
        });
      });
  });

  it('wrote the pact that is committed in contracts/pacts/', async () => {
    const { generated, committed } = await contract.compareWithCommitted();
    expect(committed, `contracts/pacts/orders-users.json is missing; write it with ${UPDATE_COMMAND}`).toBeDefined();
    expect(generated, `orders' contract with users changed; if that is deliberate, update the pact with ${UPDATE_COMMAND} and have users verify it`).toBe(committed);
  });
});
