import { describe, expect } from 'vitest';
import { DEMO_ORDERS, metricsRegistry } from '@shop/service-kit';
import { OrderDocument, UpdateProductDocument } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { graphql } from './support/graphql.js';
import type { Stack } from './support/stack.js';

/** alice's demo order: three products (from products) and her user (from users). */
const ORDER_ID = DEMO_ORDERS[1].id;

/** The SQL each subgraph ran for one request. */
async function statementsFor<Response extends { errors?: unknown }>(stack: Stack, request: () => Promise<Response>) {
  stack.statements.products.length = 0;
  stack.statements.users.length = 0;
  const response = await request();
  expect(response.errors).toBeUndefined();
  // The gateway's background polls of session revocations answer no request.
  const answering = (statements: string[]) => statements.filter((sql) => !sql.includes('session_revocations')).length;
  return { products: answering(stack.statements.products), users: answering(stack.statements.users), response };
}

const entityCacheCount = async (name: 'hits' | 'misses') =>
  ((await metricsRegistry.getSingleMetric(`gateway_entity_cache_${name}_total`)?.get())?.values ?? [])
    .filter((value) => value.labels.subgraph === 'products')
    .reduce((sum, value) => sum + value.value, 0);

describe('the entity cache', () => {
  it('serves the public products of an order to another client from the cache, and never the private user', async ({ shop: { stack, alice, admin } }) => {
    const first = await statementsFor(stack, () => graphql(stack.gatewayUrl, OrderDocument, { token: admin, variables: { id: ORDER_ID } }));
    expect(first.products).toBeGreaterThan(0);
    const [hits, misses] = [await entityCacheCount('hits'), await entityCacheCount('misses')];

    // Another user, another token: the products come from the gateway's cache, alice herself from users.
    const second = await statementsFor(stack, () => graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } }));
    expect(second.products).toBe(0);
    expect(second.users).toBeGreaterThan(0);
    expect(second.response.data).toEqual(first.response.data);
    expect((await entityCacheCount('hits')) - hits).toBe(3);
    expect(await entityCacheCount('misses')).toBe(misses);
  });

  it('asks products again when the client sends Cache-Control: no-cache', async ({ shop: { stack, alice } }) => {
    await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } });
    const fresh = await statementsFor(stack, () => graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID }, headers: { 'cache-control': 'no-cache' } }));
    expect(fresh.products).toBeGreaterThan(0);
  });

  it('answers the products it holds while products is down, and SERVICE_UNAVAILABLE only for the rest', async ({ shop: { stack, alice } }) => {
    const cached = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } });
    await stack.stopSubgraph('products');
    try {
      const down = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } });
      expect(down.errors).toBeUndefined();
      expect(down.data).toEqual(cached.data);
      const fresh = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID }, headers: { 'cache-control': 'no-cache' } });
      expect(fresh.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);
    } finally {
      await stack.startSubgraph('products');
    }
  });

  it('drops a product at once when it is updated through the gateway', async ({ shop: { stack, alice, admin } }) => {
    const before = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } });
    const product = before.data!.order!.items[0]!.product!;
    const renamed = await graphql(stack.gatewayUrl, UpdateProductDocument, { token: admin, variables: { id: product.id, input: { name: `${product.name} (renamed)` } } });
    expect(renamed.errors).toBeUndefined();
    const [hits, misses] = [await entityCacheCount('hits'), await entityCacheCount('misses')];
    const after = await statementsFor(stack, () => graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } }));
    expect(after.response.data!.order!.items[0]!.product!.name).toBe(`${product.name} (renamed)`);
    // Only the renamed product was asked for again; the other two still came from the cache.
    expect(after.products).toBeGreaterThan(0);
    expect([(await entityCacheCount('hits')) - hits, (await entityCacheCount('misses')) - misses]).toEqual([2, 1]);
    expect(after.response.data!.order!.items.slice(1)).toEqual(before.data!.order!.items.slice(1));
  });
});
