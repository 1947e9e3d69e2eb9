import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './support/stack.js';
import { startShop } from './support/shop.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, stockOf } from './support/checkout.js';
import { startProductsProxy } from './support/products-proxy.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

/** products reserves, but its answer never reaches orders: orders times out and must leave nothing reserved. */
describe('a reserve whose answer is lost', () => {
  let stack: Stack;
  let alice: string;
  let admin: string;
  let proxy: Awaited<ReturnType<typeof startProductsProxy>> | undefined;
  beforeAll(async () => {
    ({ stack, alice, admin } = await startShop({
      productsTimeoutMs: 500,
      ordersToProducts: async (productsUrl) => {
        proxy = await startProductsProxy(productsUrl, 'after-reserve');
        return proxy.url;
      },
    }));
  });
  afterAll(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  it('answers SERVICE_UNAVAILABLE with no order, and gives the stock back at once', async () => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const ordersBefore = (await graphql(stack.gatewayUrl, '{ orders { totalCount } }', { token: alice })).data!.orders.totalCount;
    const response = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 4 }]);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(10);
    expect((await graphql(stack.gatewayUrl, '{ orders { totalCount } }', { token: alice })).data!.orders.totalCount).toBe(ordersBefore);
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
    // The key is free again: the next attempt (its reserve no longer held) places the order.
    const retried = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 4 }]);
    expect(retried.errors).toBeUndefined();
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(6);
  });
});
