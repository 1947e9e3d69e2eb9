import { describe, expect } from 'vitest';
import { DEMO_ORDERS } from '@shop/service-kit';
import { OrderDocument, UpdateProductDocument } from '@shop/sdk';
import { it } from './support/fixtures.js';
import { graphql } from './support/graphql.js';
import { registeredValue } from './support/prometheus.js';
import { statementsFor } from './support/statements.js';

/** alice's demo order: three products (from products) and her user (from users). */
const ORDER_ID = DEMO_ORDERS[1].id;

const entityCacheCount = (name: 'hits' | 'misses') => registeredValue(`gateway_entity_cache_${name}_total`, { subgraph: 'products' });

describe('cache policies at the subgraphs', () => {
  it('answer no-store from users and orders, which have no @cacheControl hints, and the hints from products', async ({ shop: { stack, alice } }) => {
    const me = await graphql(stack.urls.users, '{ me { id } }', { token: alice });
    expect(me.headers.get('cache-control')).toBe('no-store');
    const order = await graphql(stack.urls.orders, `{ order(id: "${ORDER_ID}") { id } }`, { token: alice });
    expect(order.data).toEqual({ order: { id: ORDER_ID } });
    expect(order.headers.get('cache-control')).toBe('no-store');
    const products = await graphql(stack.urls.products, '{ products(first: 1) { totalCount } }');
    expect(products.headers.get('cache-control')).toBe('max-age=60, public');
  });
});

describe('the entity cache', () => {
  it('serves the public products of an order to another client from the cache, and never the private user', async ({ shop: { stack, alice, admin } }) => {
    const first = await statementsFor(stack, () => graphql(stack.gatewayUrl, OrderDocument, { token: admin, variables: { id: ORDER_ID } }));
    expect(first.counts.products).toBeGreaterThan(0);
    const [hits, misses] = [await entityCacheCount('hits'), await entityCacheCount('misses')];

    // Another user, another token: the products come from the gateway's cache, alice herself from users.
    const second = await statementsFor(stack, () => graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } }));
    expect(second.counts.products).toBe(0);
    expect(second.counts.users).toBeGreaterThan(0);
    expect(second.response.data).toEqual(first.response.data);
    expect((await entityCacheCount('hits')) - hits).toBe(3);
    expect(await entityCacheCount('misses')).toBe(misses);
  });

  it('asks products again when the client sends Cache-Control: no-cache', async ({ shop: { stack, alice } }) => {
    await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID } });
    const fresh = await statementsFor(stack, () => graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: ORDER_ID }, headers: { 'cache-control': 'no-cache' } }));
    expect(fresh.counts.products).toBeGreaterThan(0);
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
    expect(after.counts.products).toBeGreaterThan(0);
    expect([(await entityCacheCount('hits')) - hits, (await entityCacheCount('misses')) - misses]).toEqual([2, 1]);
    expect(after.response.data!.order!.items.slice(1)).toEqual(before.data!.order!.items.slice(1));
  });
});
