import { afterAll, describe, expect, vi } from 'vitest';
import { DEMO_ORDERS, DEMO_USERS } from '@shop/service-kit';
import { CancelOrderDocument, OrderDocument, ProductsDocument, UserDocument, type OrderQuery } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { ALICE, graphql, type GraphQLResponse } from './support/graphql.js';
import type { SubgraphName } from './support/stack.js';
import { startDatabaseRelay, type DatabaseRelay } from './support/tcp-relay.js';

const [, aliceUser] = DEMO_USERS;
const [aliceDelivered] = DEMO_ORDERS;
/** How long a recovered subgraph may take to be used again: the breaker's reset plus a query. */
const RECOVERY = { timeout: 15_000, interval: 200 };

const leaksNothing = (response: GraphQLResponse) =>
  expect(JSON.stringify(response.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed|stack|HTTP \d|socket/i);

/** On PostgreSQL, products reaches its database through this relay, which a test cuts. */
let productsDatabase: DatabaseRelay | undefined;
const relayProductsDatabase = async (name: SubgraphName, databaseUrl: string) => {
  if (name !== 'products') return databaseUrl;
  productsDatabase = await startDatabaseRelay(databaseUrl);
  return productsDatabase.url;
};

afterAll(() => productsDatabase?.close());

const it = test
  // Nothing cached: the entity cache would answer products it holds from memory while products is down (test/entity-cache.e2e.ts).
  .extend('stackOptions', { scope: 'file' }, { gatewayBreakerResetMs: 500, entityCacheMegabytes: 0, databaseRoute: relayProductsDatabase })
  /** Asks for alice's delivered order with its user and products: the SDK's Order, the canonical federated read. */
  .extend('canonical', ({ shop: { stack, alice } }) => () => graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: aliceDelivered.id } }))
  /** The canonical read answers in full, with no error. */
  .extend('fullyAnswered', ({ canonical }) => async () => {
    const response = await canonical();
    expect(response.errors).toBeUndefined();
    expect(response.data?.order?.user?.email).toBe(ALICE.email);
    expect(response.data?.order?.items.every((item) => item.product !== null)).toBe(true);
  });

/** The canonical read while products cannot answer: the order and its user, null and SERVICE_UNAVAILABLE for each product. */
function expectOrderWithoutProducts(response: GraphQLResponse<OrderQuery>) {
  const order = response.data!.order!;
  expect(order).toMatchObject({ id: aliceDelivered.id, status: 'DELIVERED', user: { id: aliceUser.id, email: ALICE.email, name: aliceUser.name } });
  expect(order.items.map((item) => [item.quantity, item.product])).toEqual(aliceDelivered.items.map((item) => [item.quantity, null]));
  expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual(
    aliceDelivered.items.map((_, index) => ['SERVICE_UNAVAILABLE', ['order', 'items', index, 'product']]),
  );
  leaksNothing(response);
}

describe('one subgraph down: the others still answer', () => {
  it('with products stopped, returns the order and its user with SERVICE_UNAVAILABLE on each product, and everything again once products is back', async ({ shop: { stack }, canonical, fullyAnswered }) => {
    await fullyAnswered();
    await stack.stopSubgraph('products');
    expectOrderWithoutProducts(await canonical());

    await stack.startSubgraph('products');
    await vi.waitFor(fullyAnswered, RECOVERY);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)("with products' PostgreSQL gone, answers the same (SERVICE_UNAVAILABLE, not an internal error), products is not ready, and everything comes back with the database", async ({ shop: { stack }, canonical, fullyAnswered }) => {
    await fullyAnswered();
    try {
      productsDatabase!.cut();
      expectOrderWithoutProducts(await canonical());
      const products = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 2 } });
      expect(products.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      leaksNothing(products);
      // Its verdict is cached for a second (READINESS_CACHE_MS).
      await vi.waitFor(async () => expect((await fetch(`${stack.urls.products}/ready`)).status).toBe(503), { timeout: 5_000, interval: 200 });
    } finally {
      productsDatabase!.mend();
    }
    await vi.waitFor(fullyAnswered, RECOVERY);
    await vi.waitFor(async () => expect((await fetch(`${stack.urls.products}/ready`)).status).toBe(200), { timeout: 5_000, interval: 200 });
  });

  it('with users stopped mid-test, returns the order and its products with SERVICE_UNAVAILABLE on the user, and recovers', async ({ shop: { stack }, canonical, fullyAnswered }) => {
    await fullyAnswered();
    await stack.stopSubgraph('users');

    const response = await canonical();
    expect(response.data!.order).toMatchObject({ id: aliceDelivered.id, user: null });
    expect(response.data!.order!.items.map((item) => item.product?.id)).toEqual(aliceDelivered.items.map((item) => item.productId));
    expect(response.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['SERVICE_UNAVAILABLE', ['order', 'user']]]);
    leaksNothing(response);

    await stack.startSubgraph('users');
    await vi.waitFor(fullyAnswered, RECOVERY);
  });

  it('with orders stopped, a user still comes without their orders, and its mutations fail with SERVICE_UNAVAILABLE', async ({ shop: { stack, alice }, fullyAnswered }) => {
    await stack.stopSubgraph('orders');
    try {
      // One document across users (me), orders (its orders, down) and products: no SDK operation spans the three.
      const me = await graphql(stack.gatewayUrl, '{ me { email orders { totalCount } } products(first: 1) { totalCount } }', { token: alice });
      expect(me.data).toEqual({ me: { email: ALICE.email, orders: null }, products: { totalCount: 12 } });
      expect(me.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['SERVICE_UNAVAILABLE', ['me']]]);

      const cancelled = await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id: aliceDelivered.id } });
      expect(cancelled.data).toBeNull();
      expect(cancelled.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['SERVICE_UNAVAILABLE', ['cancelOrder']]]);
      leaksNothing(cancelled);
    } finally {
      await stack.startSubgraph('orders');
    }
    await vi.waitFor(fullyAnswered, RECOVERY);
  });

  it('fails a products mutation with SERVICE_UNAVAILABLE on the mutation while products is down', async ({ shop: { stack, admin }, fullyAnswered }) => {
    await stack.stopSubgraph('products');
    try {
      // Aliased, so the error's path names the alias the client asked for.
      const created = await graphql(stack.gatewayUrl, 'mutation ($input: CreateProductInput!) { created: createProduct(input: $input) { id } }', {
        token: admin,
        variables: { input: { name: 'Kettle', description: 'Gooseneck', priceCents: 4500, currency: 'EUR', stock: 3 } },
      });
      expect(created.data).toBeNull();
      expect(created.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['SERVICE_UNAVAILABLE', ['created']]]);
      leaksNothing(created);
    } finally {
      await stack.startSubgraph('products');
    }
    await vi.waitFor(fullyAnswered, RECOVERY);
  });

  it("passes a subgraph's coded errors on unchanged, however many, without opening its breaker", async ({ shop: { stack, alice } }) => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const badInput = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 0 } });
      expect(badInput.errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.path])).toEqual([['BAD_USER_INPUT', 'first', ['products']]]);
      const forbidden = await graphql(stack.gatewayUrl, UserDocument, { token: alice, variables: { id: DEMO_USERS[0].id } });
      expect(forbidden.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([['FORBIDDEN', ['user']]]);
    }
    expect(stack.gatewayBreakerState('products')).toBe('closed');
    expect(stack.gatewayBreakerState('users')).toBe('closed');
  });
});
