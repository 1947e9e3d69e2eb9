import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from './support/stack.js';
import { ADMIN, ALICE, errorCodes, graphql, login } from './support/graphql.js';
import { createOrder, createProduct, stockOf } from './support/checkout.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

const BREAKER_RESET_MS = 1_000;
const COUNT = '{ orders { totalCount } }';

describe('placing orders while products is down', () => {
  let stack: Stack;
  let alice: string;
  let productId: string;
  beforeAll(async () => {
    stack = await startStack({ productsTimeoutMs: 1_000, breakerResetMs: BREAKER_RESET_MS });
    alice = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
    productId = await createProduct(stack.gatewayUrl, await login(stack.gatewayUrl, ADMIN.email, ADMIN.password), { stock: 10 });
  });
  afterAll(() => stack?.stop());

  it('answers SERVICE_UNAVAILABLE with no order, opens the breaker, and recovers when products is back', async () => {
    const ordersBefore: number = (await graphql(stack.gatewayUrl, COUNT, { token: alice })).data!.orders.totalCount;
    await stack.stopSubgraph('products');

    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }]);
      expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    }
    expect(stack.productsBreakerState()).toBe('open');
    const fastFail = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }]);
    expect(errorCodes(fastFail)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(JSON.stringify(fastFail.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed/);
    expect((await graphql(stack.gatewayUrl, COUNT, { token: alice })).data!.orders.totalCount).toBe(ordersBefore);

    await stack.startSubgraph('products');
    await sleep(BREAKER_RESET_MS + 200);
    expect(stack.productsBreakerState()).toBe('halfOpen');
    const placed = await createOrder(stack.gatewayUrl, alice, [{ productId, quantity: 1 }]);
    expect(placed.errors).toBeUndefined();
    expect(stack.productsBreakerState()).toBe('closed');
    expect((await graphql(stack.gatewayUrl, COUNT, { token: alice })).data!.orders.totalCount).toBe(ordersBefore + 1);

    // The attempts made while products was down were claimed FAILED at once; the reconciler
    // gives back whatever they might hold once products answers.
    const reconciled = await stack.reconciler.runOnce();
    expect(reconciled.released).toBeGreaterThanOrEqual(3);
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(9);
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });
});
