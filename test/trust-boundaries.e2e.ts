import { describe, expect } from 'vitest';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { SERVICE_CREDENTIAL_HEADER } from '@shop/service-kit';
import { MeDocument, OrdersDocument, ProductDocument } from '@shop/sdk';
import { signingKeyFromPem, type SigningKey } from '../subgraphs/users/src/signing-key.js';
import { SERVICE_CREDENTIAL, SUBGRAPHS } from './support/stack.js';
import { test } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct } from './support/checkout.js';
import { newSigningKeyPem, signToken, unsignedToken } from './support/tokens.js';

/** Identity headers a client might add, hoping some service believes them. */
const identityHeaders = (adminId: string): Record<string, string> => ({
  'x-user-id': adminId,
  'x-role': 'ADMIN',
  'x-user-role': 'ADMIN',
  'x-viewer': JSON.stringify({ userId: adminId, role: 'ADMIN' }),
  'x-user': JSON.stringify({ id: adminId, role: 'ADMIN' }),
  'x-forwarded-user': adminId,
  'x-auth-request-user': adminId,
  'x-admin': 'true',
});

// The documents each service is asked directly, as well as through the gateway: every one must
// check the caller itself, so the same document goes to both (the SDK's are the gateway's API).
type Me = { me: { id: string; role?: string } | null };
type OrderCount = { orders: { totalCount: number } };
const CREATE_PRODUCT = 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }';
const NEW_PRODUCT = { input: { name: 'Smuggled', description: '', priceCents: 100, currency: 'EUR', stock: 1 } };
const RESERVE = 'mutation ($orderId: ID!, $items: [StockItemInput!]!) { reserveStock(orderId: $orderId, items: $items) { status } }';
const RELEASE = 'mutation ($orderId: ID!) { releaseStock(orderId: $orderId) { status } }';
const FIND = 'query ($orderId: ID!) { stockReservation(orderId: $orderId) { status } }';

/** users' signing key: the file's stack is started with it, so a test can sign tokens users would. */
const SIGNING_KEY_PEM = newSigningKeyPem();

interface Ids {
  aliceId: string;
  adminId: string;
}

const it = test
  .extend('stackOptions', { scope: 'file' }, { signingKeyPem: SIGNING_KEY_PEM })
  .extend('usersKey', { scope: 'file' }, () => signingKeyFromPem(SIGNING_KEY_PEM))
  /** The users behind the demo customer's and admin's tokens. */
  .extend('ids', { scope: 'file' }, async ({ shop: { stack, alice, admin } }): Promise<Ids> => ({
    aliceId: (await graphql(stack.gatewayUrl, MeDocument, { token: alice })).data!.me!.id,
    adminId: (await graphql(stack.gatewayUrl, MeDocument, { token: admin })).data!.me!.id,
  }))
  /**
   * A validly signed token naming no user. Users cannot be deleted (no such mutation); this is what
   * a deleted account would leave, e.g. after the users database was restored from a backup.
   */
  .extend('ghost', { scope: 'file' }, async ({ usersKey }) => {
    const id = randomUUID();
    return { id, token: await signToken(usersKey.privateKey, usersKey.kid, { sub: id, role: 'CUSTOMER' }) };
  })
  /** The gateway and each subgraph, called directly: every one must check the token itself. */
  .extend('services', ({ stack }): [string, string][] => [['gateway', stack.gatewayUrl], ...SUBGRAPHS.map((name): [string, string] => [name, stack.urls[name]])]);

describe('trust boundaries', () => {
  describe('tokens', () => {
    const badTokens: [string, (usersKey: SigningKey, ids: Ids) => Promise<string>][] = [
      ['signed with another key under users\' kid', async (usersKey, { adminId }) => signToken(createPrivateKey(newSigningKeyPem()), usersKey.kid, { sub: adminId, role: 'ADMIN' })],
      ['with alg none and no signature', async (_usersKey, { adminId }) => unsignedToken({ sub: adminId, role: 'ADMIN' })],
      ['that has expired', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER', exp: Math.floor(Date.now() / 1000) - 60 })],
      ['from another issuer', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER', iss: 'someone-else' })],
      ['for another audience', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER', aud: 'another-api' })],
      ['with a role that does not exist', (usersKey, { aliceId }) => signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'ROOT' })],
    ];

    it('accepts a token signed with users\' key at the gateway and at each subgraph (the control for the refusals below)', async ({ shop: { stack }, usersKey, ids: { aliceId }, services }) => {
      const token = await signToken(usersKey.privateKey, usersKey.kid, { sub: aliceId, role: 'CUSTOMER' });
      for (const [, url] of services) {
        const response = await graphql(url, '{ __typename }', { token });
        expect(response.status).toBe(200);
        expect(response.errors).toBeUndefined();
      }
      expect((await graphql(stack.gatewayUrl, MeDocument, { token })).data!.me!.id).toBe(aliceId);
    });

    it.for(badTokens)('refuses a token %s with 401 UNAUTHENTICATED at the gateway and at each subgraph', async ([, makeToken], { usersKey, ids, services }) => {
      const token = await makeToken(usersKey, ids);
      for (const [name, url] of services) {
        // A public query: only the token check can refuse it.
        const response = await graphql(url, '{ __typename }', { token });
        expect({ name, status: response.status, codes: errorCodes(response) }).toEqual({ name, status: 401, codes: ['UNAUTHENTICATED'] });
      }
    });
  });

  describe('a token whose user does not exist', () => {
    it('answers me with null, as for no sign-in, at the gateway and at users', async ({ shop: { stack }, ghost }) => {
      for (const url of [stack.gatewayUrl, stack.urls.users]) {
        const me = await graphql<Me>(url, '{ me { id } }', { token: ghost.token });
        expect(me.errors).toBeUndefined();
        expect(me.data!.me).toBeNull();
      }
    });

    it('refuses createOrder with UNAUTHENTICATED, at the gateway and at orders, and stores no order', async ({ shop: { stack, admin }, ghost }) => {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
      const items = [{ productId, quantity: 1 }];
      expect(errorCodes(await createOrder(stack.gatewayUrl, ghost.token, items))).toEqual(['UNAUTHENTICATED']);
      const direct = await graphql(stack.urls.orders, 'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }', {
        token: ghost.token,
        variables: { input: { items, idempotencyKey: randomUUID() } },
      });
      expect(errorCodes(direct)).toEqual(['UNAUTHENTICATED']);
      const stored = await stack.dbs.orders.query<{ count: number }>('SELECT count(*)::int AS count FROM orders WHERE user_id = $1', [ghost.id]);
      expect(stored[0]?.count).toBe(0);
      expect((await graphql(stack.gatewayUrl, ProductDocument, { variables: { id: productId } })).data!.product!.stock).toBe(5);
    });
  });

  describe('identity headers', () => {
    it('change nothing without a token, at the gateway and at each subgraph', async ({ shop: { stack }, ids: { adminId } }) => {
      const headers = identityHeaders(adminId);
      for (const url of [stack.gatewayUrl, stack.urls.users]) {
        expect((await graphql<Me>(url, '{ me { id } }', { headers })).data!.me).toBeNull();
      }
      for (const url of [stack.gatewayUrl, stack.urls.products]) {
        expect(errorCodes(await graphql(url, CREATE_PRODUCT, { headers, variables: NEW_PRODUCT }))).toEqual(['UNAUTHENTICATED']);
      }
      for (const url of [stack.gatewayUrl, stack.urls.orders]) {
        expect(errorCodes(await graphql(url, '{ orders { totalCount } }', { headers }))).toEqual(['UNAUTHENTICATED']);
      }
    });

    it('change nothing beside a customer\'s token: the token alone says who is asking', async ({ shop: { stack, alice, admin }, ids: { aliceId, adminId } }) => {
      const headers = identityHeaders(adminId);
      const ownOrders = (await graphql(stack.gatewayUrl, OrdersDocument, { token: alice })).data!.orders.totalCount;
      const allOrders = (await graphql(stack.gatewayUrl, OrdersDocument, { token: admin })).data!.orders.totalCount;
      expect(allOrders).toBeGreaterThan(ownOrders);
      for (const url of [stack.gatewayUrl, stack.urls.users]) {
        expect((await graphql<Me>(url, '{ me { id role } }', { token: alice, headers })).data!.me).toEqual({ id: aliceId, role: 'CUSTOMER' });
        expect(errorCodes(await graphql(url, 'query ($id: ID!) { user(id: $id) { email } }', { token: alice, headers, variables: { id: adminId } }))).toEqual(['FORBIDDEN']);
      }
      for (const url of [stack.gatewayUrl, stack.urls.products]) {
        expect(errorCodes(await graphql(url, CREATE_PRODUCT, { token: alice, headers, variables: NEW_PRODUCT }))).toEqual(['FORBIDDEN']);
      }
      for (const url of [stack.gatewayUrl, stack.urls.orders]) {
        expect((await graphql<OrderCount>(url, '{ orders { totalCount } }', { token: alice, headers })).data!.orders.totalCount).toBe(ownOrders);
      }
    });
  });

  describe('internal operations', () => {
    const calls: [string, string, (orderId: string, productId: string) => Record<string, unknown>][] = [
      ['reserveStock', RESERVE, (orderId, productId) => ({ orderId, items: [{ productId, quantity: 1 }] })],
      ['releaseStock', RELEASE, (orderId) => ({ orderId })],
      ['stockReservation', FIND, (orderId) => ({ orderId })],
    ];

    it.for(calls)('keeps %s out of the gateway: a validation error, even for an admin presenting the credential', async ([field, query, variables], { shop: { stack, admin } }) => {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
      const response = await graphql(stack.gatewayUrl, query, {
        token: admin,
        headers: { [SERVICE_CREDENTIAL_HEADER]: SERVICE_CREDENTIAL },
        variables: variables(randomUUID(), productId),
      });
      expect(response.status).toBe(400);
      expect(new Set(errorCodes(response))).toEqual(new Set(['BAD_USER_INPUT']));
      expect(response.errors?.map((error) => error.message).join(' ')).toContain(`Cannot query field "${field}"`);
      expect(response.data).toBeUndefined();
    });

    it.for(calls)('answers %s at products only to the service credential, never to a user token, admin or not', async ([field, query, variables], { shop: { stack, alice, admin }, ids: { adminId } }) => {
      const productId = await createProduct(stack.gatewayUrl, admin, { stock: 5 });
      const orderId = randomUUID();
      const refused: { token?: string; headers?: Record<string, string> }[] = [
        {},
        { token: alice },
        { token: admin },
        { token: admin, headers: identityHeaders(adminId) },
        { token: admin, headers: { [SERVICE_CREDENTIAL_HEADER]: 'wrong-credential' } },
        { headers: { [SERVICE_CREDENTIAL_HEADER]: `${SERVICE_CREDENTIAL}x` } },
        { headers: { [SERVICE_CREDENTIAL_HEADER]: '' } },
      ];
      for (const caller of refused) {
        const response = await graphql(stack.urls.products, query, { ...caller, variables: variables(orderId, productId) });
        expect({ caller, codes: errorCodes(response) }).toEqual({ caller, codes: ['FORBIDDEN'] });
      }
      const stockNow = (await graphql(stack.gatewayUrl, ProductDocument, { variables: { id: productId } })).data!.product!.stock;
      expect(stockNow).toBe(5);
      const allowed = await graphql(stack.urls.products, query, { headers: { [SERVICE_CREDENTIAL_HEADER]: SERVICE_CREDENTIAL }, variables: variables(orderId, productId) });
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data).toHaveProperty(field);
    });
  });
});
