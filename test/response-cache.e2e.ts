import { describe, expect } from 'vitest';
import { DEMO_ORDERS, DEMO_PRODUCTS } from '@shop/service-kit';
import { OrderDocument, ProductDocument, UpdateProductDocument } from '@shop/sdk';
import type { SubgraphProxy } from './support/shop.js';
import { it } from './support/fixtures.js';
import { graphql } from './support/graphql.js';

// Cache hints follow the fields asked for (stock is hinted shorter than the rest), so the tests of
// hints and of cached answers hold to these documents; the SDK's Product and Products select stock.
const PRODUCT = 'query ($id: ID!) { product(id: $id) { id name price { amountCents currency } } }';
const WITH_STOCK = 'query ($id: ID!) { product(id: $id) { id stock } }';
const PAGE = 'query { products(first: 3) { nodes { id name } pageInfo { hasNextPage endCursor } totalCount } }';

/** How many calls `work` made to products, counted by the proxy in front of it. */
async function callsToProducts(proxy: SubgraphProxy, work: () => Promise<unknown>) {
  const before = proxy.forwarded();
  await work();
  return proxy.forwarded() - before;
}

/** products behind a proxy that counts the calls reaching it. */
describe("the gateway's cache hints and response cache", () => {
  const product = DEMO_PRODUCTS[0]!;

  it('merges the subgraphs\' hints into the answer\'s Cache-Control: 60 s for a product, 5 s with its stock', async ({ proxiedShop: { stack } }) => {
    const read = await graphql(stack.gatewayUrl, PRODUCT, { variables: { id: product.id } });
    expect(read.data).toEqual({ product: { id: product.id, name: product.name, price: { amountCents: product.priceCents, currency: 'EUR' } } });
    expect(read.headers.get('cache-control')).toBe('max-age=60, public');
    const withStock = await graphql(stack.gatewayUrl, WITH_STOCK, { variables: { id: product.id } });
    expect(withStock.headers.get('cache-control')).toBe('max-age=5, public');
    const page = await graphql(stack.gatewayUrl, PAGE);
    expect(page.headers.get('cache-control')).toBe('max-age=60, public');
  });

  it('marks nothing cacheable that holds private data: an order with its user and products', async ({ proxiedShop: { stack, alice } }) => {
    const order = DEMO_ORDERS.find((candidate) => candidate.items.length === 3)!;
    const answer = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id: order.id } });
    expect(answer.errors).toBeUndefined();
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a repeated anonymous catalogue query from its cache, without asking products', async ({ proxiedShop: { stack, proxy } }) => {
    const query = 'query ($id: ID!) { product(id: $id) { name description } }';
    const id = DEMO_PRODUCTS[1]!.id;
    const first = await graphql(stack.gatewayUrl, query, { variables: { id } });
    const calls = await callsToProducts(proxy, async () => {
      const again = await graphql(stack.gatewayUrl, query, { variables: { id } });
      expect(again.data).toEqual(first.data);
      expect(again.headers.get('age')).toMatch(/^\d+$/);
      expect(again.headers.get('cache-control')).toBe('max-age=60, public');
    });
    expect(calls).toBe(0);
    // Other variables are another answer.
    expect(await callsToProducts(proxy, () => graphql(stack.gatewayUrl, query, { variables: { id: DEMO_PRODUCTS[2]!.id } }))).toBe(1);
  });

  it('always asks products for signed-in requests and for Cache-Control: no-cache, so an admin sees their own change at once', async ({ proxiedShop: { stack, alice, admin, proxy } }) => {
    const id = DEMO_PRODUCTS[3]!.id;
    await graphql(stack.gatewayUrl, ProductDocument, { variables: { id } });
    expect(await callsToProducts(proxy, () => graphql(stack.gatewayUrl, ProductDocument, { variables: { id }, token: alice }))).toBe(1);
    expect(await callsToProducts(proxy, () => graphql(stack.gatewayUrl, ProductDocument, { variables: { id }, headers: { 'cache-control': 'no-cache' } }))).toBe(1);

    const update = await graphql(stack.gatewayUrl, UpdateProductDocument, { token: admin, variables: { id, input: { stock: 42 } } });
    expect(update.data?.updateProduct.stock).toBe(42);
    const asAdmin = await graphql(stack.gatewayUrl, ProductDocument, { variables: { id }, token: admin });
    expect(asAdmin.data).toMatchObject({ product: { stock: 42 } });
  });
});
