import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORDERS, DEMO_PRODUCTS } from '@shop/service-kit';
import type { Stack } from './support/stack.js';
import { startShopWithProductsProxy, type SubgraphProxy } from './support/shop.js';
import { graphql } from './support/graphql.js';
import { CANONICAL } from '../bench/canonical-query.js';

const PRODUCT = 'query ($id: ID!) { product(id: $id) { id name price { amountCents currency } } }';
const WITH_STOCK = 'query ($id: ID!) { product(id: $id) { id stock } }';
const PAGE = 'query { products(first: 3) { nodes { id name } pageInfo { hasNextPage endCursor } totalCount } }';

/** products behind a proxy that counts the calls reaching it. */
describe("the gateway's cache hints and response cache", () => {
  let shop: Awaited<ReturnType<typeof startShopWithProductsProxy>> | undefined;
  let stack: Stack;
  let alice: string;
  let admin: string;
  let proxy: SubgraphProxy;
  const product = DEMO_PRODUCTS[0]!;
  /** How many calls `work` made to products. */
  const callsToProducts = async (work: () => Promise<unknown>) => {
    const before = proxy.forwarded();
    await work();
    return proxy.forwarded() - before;
  };
  beforeAll(async () => {
    shop = await startShopWithProductsProxy();
    ({ stack, alice, admin, proxy } = shop);
  });
  afterAll(() => shop?.stop());

  it('merges the subgraphs\' hints into the answer\'s Cache-Control: 60 s for a product, 5 s with its stock', async () => {
    const read = await graphql(stack.gatewayUrl, PRODUCT, { variables: { id: product.id } });
    expect(read.data).toEqual({ product: { id: product.id, name: product.name, price: { amountCents: product.priceCents, currency: 'EUR' } } });
    expect(read.headers.get('cache-control')).toBe('max-age=60, public');
    const withStock = await graphql(stack.gatewayUrl, WITH_STOCK, { variables: { id: product.id } });
    expect(withStock.headers.get('cache-control')).toBe('max-age=5, public');
    const page = await graphql(stack.gatewayUrl, PAGE);
    expect(page.headers.get('cache-control')).toBe('max-age=60, public');
  });

  it('marks nothing cacheable that holds private data: an order with its user and products', async () => {
    const order = DEMO_ORDERS.find((candidate) => candidate.items.length === 3)!;
    const answer = await graphql(stack.gatewayUrl, CANONICAL, { token: alice, variables: { id: order.id } });
    expect(answer.errors).toBeUndefined();
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a repeated anonymous catalogue query from its cache, without asking products', async () => {
    const query = 'query ($id: ID!) { product(id: $id) { name description } }';
    const id = DEMO_PRODUCTS[1]!.id;
    const first = await graphql(stack.gatewayUrl, query, { variables: { id } });
    const calls = await callsToProducts(async () => {
      const again = await graphql(stack.gatewayUrl, query, { variables: { id } });
      expect(again.data).toEqual(first.data);
      expect(again.headers.get('age')).toMatch(/^\d+$/);
      expect(again.headers.get('cache-control')).toBe('max-age=60, public');
    });
    expect(calls).toBe(0);
    // Other variables are another answer.
    expect(await callsToProducts(() => graphql(stack.gatewayUrl, query, { variables: { id: DEMO_PRODUCTS[2]!.id } }))).toBe(1);
  });

  it('always asks products for signed-in requests and for Cache-Control: no-cache, so an admin sees their own change at once', async () => {
    const query = 'query ($id: ID!) { product(id: $id) { name stock } }';
    const id = DEMO_PRODUCTS[3]!.id;
    await graphql(stack.gatewayUrl, query, { variables: { id } });
    expect(await callsToProducts(() => graphql(stack.gatewayUrl, query, { variables: { id }, token: alice }))).toBe(1);
    expect(await callsToProducts(() => graphql(stack.gatewayUrl, query, { variables: { id }, headers: { 'cache-control': 'no-cache' } }))).toBe(1);

    const update = await graphql(stack.gatewayUrl, 'mutation ($id: ID!) { updateProduct(id: $id, input: { stock: 42 }) { stock } }', {
      token: admin,
      variables: { id },
    });
    expect(update.data).toEqual({ updateProduct: { stock: 42 } });
    const asAdmin = await graphql(stack.gatewayUrl, query, { variables: { id }, token: admin });
    expect(asAdmin.data).toMatchObject({ product: { stock: 42 } });
  });
});
