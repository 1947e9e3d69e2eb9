import { describe, expect } from 'vitest';
import { DEMO_USERS } from '@shop/service-kit';
import { createOrderSeeding } from '../subgraphs/orders/src/order-seeding.js';
import type { Stack } from './support/stack.js';
import { statementsFor } from './support/statements.js';
import { test } from './support/fixtures.js';
import { graphql } from './support/graphql.js';
import { createProduct } from './support/checkout.js';
import { CANONICAL } from '../bench/canonical-query.js';

// The statement counts hold for these exact selections: the bench's canonical query, and a page of
// orders with their users' orders and their products (the SDK's documents select other fields).
const ADMIN_ORDERS = `query ($first: Int) {
  orders(first: $first) { edges { node { id user { email orders(first: 5) { totalCount } } items { product { name } } } } }
}`;

/** Statements each subgraph runs for one request. */
const countStatements = async (stack: Stack, request: () => Promise<{ errors?: unknown }>) => (await statementsFor(stack, request)).counts;

/**
 * alice's orders of 1 and of 20 products, each product of its own; set up for every test of the file
 * (auto), as the page of 5 orders counts them too.
 */
const it = test.extend('orderIds', { scope: 'file', auto: true }, async ({ shop: { stack, admin } }) => {
  const productIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    productIds.push(await createProduct(stack.gatewayUrl, admin, { name: `Batch product ${i}`, priceCents: 100 + i, currency: 'EUR', stock: 10 }));
  }
  // Placing orders through the API comes with checkout; here the rows are written directly.
  const orders = createOrderSeeding(stack.dbs.orders);
  const order = (ids: string[]) =>
    orders.createOrder({
      userId: DEMO_USERS[1].id,
      status: 'PENDING',
      currency: 'EUR',
      items: ids.map((productId, i) => ({ productId, quantity: 1, unitPriceCents: 100 + i })),
    });
  return { one: (await order(productIds.slice(0, 1))).id, twenty: (await order(productIds)).id };
});

describe('batching', () => {
  it('runs as many statements for the canonical query with 20 items as with 1', async ({ shop: { stack, alice }, orderIds }) => {
    const canonical = (id: string) => () => graphql(stack.gatewayUrl, CANONICAL, { token: alice, variables: { id } });
    const one = await countStatements(stack, canonical(orderIds.one));
    const twenty = await countStatements(stack, canonical(orderIds.twenty));
    expect(twenty).toEqual(one);
    // One statement per subgraph fetch: the order with its items, the user, the products.
    expect(one).toEqual({ users: 1, products: 1, orders: 1 });
  });

  it("runs as many statements for a page of 5 orders with their users' orders and products as for 1", async ({ shop: { stack, admin } }) => {
    const page = (first: number) => () => graphql(stack.gatewayUrl, ADMIN_ORDERS, { token: admin, variables: { first } });
    const one = await countStatements(stack, page(1));
    const five = await countStatements(stack, page(5));
    expect(five).toEqual(one);
  });
});
