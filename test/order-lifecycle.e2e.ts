import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Stack } from './support/stack.js';
import { startShop } from './support/shop.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, newCustomer, stockOf } from './support/checkout.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

const UPDATE = 'mutation ($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { id status statusHistory { status at } } }';
const CANCEL = 'mutation ($id: ID!) { cancelOrder(id: $id) { id status statusHistory { status } } }';
const STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
const LEGAL: Record<string, string[]> = { PENDING: ['PAID', 'CANCELLED'], PAID: ['SHIPPED', 'CANCELLED'], SHIPPED: ['DELIVERED'], DELIVERED: [], CANCELLED: [] };
/** The moves that reach each status from PENDING. */
const PATH_TO: Record<string, string[]> = { PENDING: [], PAID: ['PAID'], SHIPPED: ['PAID', 'SHIPPED'], DELIVERED: ['PAID', 'SHIPPED', 'DELIVERED'], CANCELLED: ['CANCELLED'] };

describe('order lifecycle', () => {
  let stack: Stack;
  let alice: string;
  let admin: string;
  let productId: string;
  beforeAll(async () => {
    ({ stack, alice, admin } = await startShop());
    productId = await createProduct(stack.gatewayUrl, admin, { stock: 1000 });
  });
  afterAll(() => stack?.stop());

  async function orderIn(status: string, token = alice): Promise<string> {
    const placed = await createOrder(stack.gatewayUrl, token, [{ productId, quantity: 1 }]);
    const id = (placed.data!.createOrder as { id: string }).id;
    for (const next of PATH_TO[status]!) {
      const moved = await graphql(stack.gatewayUrl, UPDATE, { token: admin, variables: { id, status: next } });
      expect(moved.errors).toBeUndefined();
    }
    return id;
  }

  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const legal = LEGAL[from]!.includes(to);
      it(`${legal ? 'allows' : 'refuses as CONFLICT'} ${from} -> ${to}`, async () => {
        const id = await orderIn(from);
        const response = await graphql(stack.gatewayUrl, UPDATE, { token: admin, variables: { id, status: to } });
        if (legal) {
          expect(response.errors).toBeUndefined();
          const order = response.data!.updateOrderStatus as { status: string; statusHistory: { status: string; at: string }[] };
          expect(order.status).toBe(to);
          expect(order.statusHistory.map((change) => change.status)).toEqual(['PENDING', ...PATH_TO[from]!, to]);
          const times = order.statusHistory.map((change) => Date.parse(change.at));
          expect([...times].sort((a, b) => a - b)).toEqual(times);
        } else {
          expect(errorCodes(response)).toEqual(['CONFLICT']);
        }
      });
    }
  }

  it('lets only admins move orders, and answers NOT_FOUND for an unknown order', async () => {
    const id = await orderIn('PENDING');
    expect(errorCodes(await graphql(stack.gatewayUrl, UPDATE, { token: alice, variables: { id, status: 'PAID' } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, UPDATE, { token: admin, variables: { id: randomUUID(), status: 'PAID' } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await graphql(stack.gatewayUrl, CANCEL, { token: admin, variables: { id: 'not-an-id' } }))).toEqual(['NOT_FOUND']);
  });

  it('gives the stock back when the owner cancels while PENDING or PAID', async () => {
    for (const status of ['PENDING', 'PAID']) {
      const before = await stockOf(stack.gatewayUrl, productId);
      const id = await orderIn(status);
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(before - 1);
      const cancelled = await graphql(stack.gatewayUrl, CANCEL, { token: alice, variables: { id } });
      expect(cancelled.data!.cancelOrder).toMatchObject({ status: 'CANCELLED', statusHistory: [{ status: 'PENDING' }, ...PATH_TO[status]!.map((s) => ({ status: s })), { status: 'CANCELLED' }] });
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(before);
      // Cancelling twice changes nothing.
      expect(errorCodes(await graphql(stack.gatewayUrl, CANCEL, { token: alice, variables: { id } }))).toEqual(['CONFLICT']);
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(before);
    }
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });

  it('gives the stock back when an admin cancels through updateOrderStatus', async () => {
    const before = await stockOf(stack.gatewayUrl, productId);
    const id = await orderIn('PAID');
    await graphql(stack.gatewayUrl, UPDATE, { token: admin, variables: { id, status: 'CANCELLED' } });
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(before);
  });

  it('refuses cancelling once shipped, and cancelling another customer\'s order', async () => {
    const shipped = await orderIn('SHIPPED');
    expect(errorCodes(await graphql(stack.gatewayUrl, CANCEL, { token: alice, variables: { id: shipped } }))).toEqual(['CONFLICT']);
    expect(errorCodes(await graphql(stack.gatewayUrl, CANCEL, { token: admin, variables: { id: shipped } }))).toEqual(['CONFLICT']);
    const pending = await orderIn('PENDING');
    const bob = await newCustomer(stack.gatewayUrl);
    expect(errorCodes(await graphql(stack.gatewayUrl, CANCEL, { token: bob, variables: { id: pending } }))).toEqual(['FORBIDDEN']);
    expect((await graphql(stack.gatewayUrl, CANCEL, { token: admin, variables: { id: pending } })).data!.cancelOrder).toMatchObject({ status: 'CANCELLED' });
  });
});
