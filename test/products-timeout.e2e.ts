import { describe, expect } from 'vitest';
import { OrdersDocument } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, stockOf } from './support/checkout.js';
import { startProductsProxy } from './support/products-proxy.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

/** orders reaches products through a proxy that lets a reserve through and loses its answer; it closes after the stack stops. */
// eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its first parameter's pattern; these options have none.
const it = test.extend('stackOptions', { scope: 'file' }, ({}, { onCleanup }) => ({
  productsTimeoutMs: 500,
  ordersToProducts: async (productsUrl: string) => {
    const proxy = await startProductsProxy(productsUrl, 'after-reserve');
    onCleanup(() => proxy.close());
    return proxy.url;
  },
}));

/** products reserves, but its answer never reaches orders: orders times out and must leave nothing reserved. */
describe('a reserve whose answer is lost', () => {
  it('answers SERVICE_UNAVAILABLE with no order, and gives the stock back at once', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const ordersBefore = (await graphql(stack.gatewayUrl, OrdersDocument, { token: alice })).data!.orders.totalCount;
    const response = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 4 }]);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(10);
    expect((await graphql(stack.gatewayUrl, OrdersDocument, { token: alice })).data!.orders.totalCount).toBe(ordersBefore);
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
    // The key is free again: the next attempt (its reserve no longer held) places the order.
    const retried = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 4 }]);
    expect(retried.errors).toBeUndefined();
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(6);
  });
});
