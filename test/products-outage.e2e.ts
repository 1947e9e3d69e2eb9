import { describe, expect } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, stockOf } from './support/checkout.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

const BREAKER_RESET_MS = 1_000;
/** Alice's orders, counted without a field of products (the SDK's Orders has some): products is down while it counts. */
const COUNT = '{ orders { totalCount } }';
type Count = { orders: { totalCount: number } };

const it = test.extend('stackOptions', { scope: 'file' }, { productsTimeoutMs: 1_000, breakerResetMs: BREAKER_RESET_MS });

describe('placing orders while products is down', () => {
  it('answers SERVICE_UNAVAILABLE with no order, opens the breaker, and recovers when products is back', async ({ shop: { stack, alice, admin } }) => {
    const productId = await createProduct(stack.gatewayUrl, admin, { stock: 10 });
    const ordersBefore = (await graphql<Count>(stack.gatewayUrl, COUNT, { token: alice })).data!.orders.totalCount;
    await stack.stopSubgraph('products');

    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }]);
      expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    }
    expect(stack.productsBreakerState()).toBe('open');
    const fastFail = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }]);
    expect(errorCodes(fastFail)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(JSON.stringify(fastFail.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed/);
    expect((await graphql<Count>(stack.gatewayUrl, COUNT, { token: alice })).data!.orders.totalCount).toBe(ordersBefore);

    await stack.startSubgraph('products');
    await sleep(BREAKER_RESET_MS + 200);
    expect(stack.productsBreakerState()).toBe('halfOpen');
    const placed = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }]);
    expect(placed.errors).toBeUndefined();
    expect(stack.productsBreakerState()).toBe('closed');
    expect((await graphql<Count>(stack.gatewayUrl, COUNT, { token: alice })).data!.orders.totalCount).toBe(ordersBefore + 1);

    // The attempts made while products was down were claimed FAILED at once; the reconciler
    // gives back whatever they might hold once products answers.
    const reconciled = await stack.reconciler.runOnce();
    expect(reconciled.released).toBeGreaterThanOrEqual(3);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(9);
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });
});
