import { describe, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CancelOrderDocument, UpdateOrderStatusDocument, type OrderStatus } from '@shop/sdk';
import { test } from './support/fixtures.js';
import { errorCodes, graphql } from './support/graphql.js';
import { createOrder, createProduct, newCustomer, stockOf } from './support/checkout.js';
import { ledgerMismatches } from '../scripts/stock-ledger.js';

const STATUSES: OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'];
const LEGAL: Record<OrderStatus, OrderStatus[]> = { PENDING: ['PAID', 'CANCELLED'], PAID: ['SHIPPED', 'CANCELLED'], SHIPPED: ['DELIVERED'], DELIVERED: [], CANCELLED: [] };
/** The moves that reach each status from PENDING. */
const PATH_TO: Record<OrderStatus, OrderStatus[]> = { PENDING: [], PAID: ['PAID'], SHIPPED: ['PAID', 'SHIPPED'], DELIVERED: ['PAID', 'SHIPPED', 'DELIVERED'], CANCELLED: ['CANCELLED'] };

const it = test
  /** The product every order of the file is for, with stock for them all. */
  .extend('productId', { scope: 'file' }, async ({ shop: { stack, admin } }) => createProduct(stack.gatewayUrl, admin, { stock: 1000 }))
  /** Places an order of one unit (alice's, unless another token is given) and has an admin move it to `status`. */
  .extend('orderIn', ({ shop: { stack, alice, admin }, productId }) => async (status: OrderStatus, token = alice): Promise<string> => {
    const placed = await createOrder(stack.gatewayUrl, token, [{ productId, quantity: 1 }]);
    const id = placed.data!.createOrder.id;
    for (const next of PATH_TO[status]) {
      const moved = await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id, status: next } });
      expect(moved.errors).toBeUndefined();
    }
    return id;
  });

describe('order lifecycle', () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const legal = LEGAL[from].includes(to);
      it(`${legal ? 'allows' : 'refuses as CONFLICT'} ${from} -> ${to}`, async ({ shop: { stack, admin }, orderIn }) => {
        const id = await orderIn(from);
        const response = await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id, status: to } });
        if (legal) {
          expect(response.errors).toBeUndefined();
          const order = response.data!.updateOrderStatus;
          expect(order.status).toBe(to);
          expect(order.statusHistory.map((change) => change.status)).toEqual(['PENDING', ...PATH_TO[from], to]);
          const times = order.statusHistory.map((change) => Date.parse(change.at));
          expect([...times].sort((a, b) => a - b)).toEqual(times);
        } else {
          expect(errorCodes(response)).toEqual(['CONFLICT']);
        }
      });
    }
  }

  it('lets only admins move orders, answers NOT_FOUND for an unknown order and BAD_USER_INPUT for an id that is none', async ({ shop: { stack, alice, admin }, orderIn }) => {
    const id = await orderIn('PENDING');
    expect(errorCodes(await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: alice, variables: { id, status: 'PAID' } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id: randomUUID(), status: 'PAID' } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await graphql(stack.gatewayUrl, CancelOrderDocument, { token: admin, variables: { id: 'not-an-id' } }))).toEqual(['BAD_USER_INPUT']);
  });

  it('gives the stock back when the owner cancels while PENDING or PAID', async ({ shop: { stack, alice }, productId, orderIn }) => {
    for (const status of ['PENDING', 'PAID'] as const) {
      const before = await stockOf(stack.gatewayUrl, productId);
      const id = await orderIn(status);
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(before - 1);
      const cancelled = await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id } });
      expect(cancelled.data!.cancelOrder).toMatchObject({ status: 'CANCELLED', statusHistory: [{ status: 'PENDING' }, ...PATH_TO[status].map((s) => ({ status: s })), { status: 'CANCELLED' }] });
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(before);
      // Cancelling twice changes nothing.
      expect(errorCodes(await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id } }))).toEqual(['CONFLICT']);
      expect(await stockOf(stack.gatewayUrl, productId)).toBe(before);
    }
    expect(await ledgerMismatches(stack.dbs)).toEqual([]);
  });

  it('gives the stock back when an admin cancels through updateOrderStatus', async ({ shop: { stack, admin }, productId, orderIn }) => {
    const before = await stockOf(stack.gatewayUrl, productId);
    const id = await orderIn('PAID');
    await graphql(stack.gatewayUrl, UpdateOrderStatusDocument, { token: admin, variables: { id, status: 'CANCELLED' } });
    expect(await stockOf(stack.gatewayUrl, productId)).toBe(before);
  });

  it('refuses cancelling once shipped, and cancelling another customer\'s order', async ({ shop: { stack, alice, admin }, orderIn }) => {
    const shipped = await orderIn('SHIPPED');
    expect(errorCodes(await graphql(stack.gatewayUrl, CancelOrderDocument, { token: alice, variables: { id: shipped } }))).toEqual(['CONFLICT']);
    expect(errorCodes(await graphql(stack.gatewayUrl, CancelOrderDocument, { token: admin, variables: { id: shipped } }))).toEqual(['CONFLICT']);
    const pending = await orderIn('PENDING');
    const bob = await newCustomer(stack.gatewayUrl);
    expect(errorCodes(await graphql(stack.gatewayUrl, CancelOrderDocument, { token: bob, variables: { id: pending } }))).toEqual(['FORBIDDEN']);
    expect((await graphql(stack.gatewayUrl, CancelOrderDocument, { token: admin, variables: { id: pending } })).data!.cancelOrder).toMatchObject({ status: 'CANCELLED' });
  });
});
