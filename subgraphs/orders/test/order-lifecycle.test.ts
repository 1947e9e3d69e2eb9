import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scopesOfRole, type Database, type Viewer } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import { createCheckoutWrites } from '../src/checkout-writes.js';
import { createOrderLifecycle, NEXT_STATUSES, type OrderLifecycle } from '../src/order-lifecycle.js';
import { createOrderReads, type OrderReads } from '../src/order-reads.js';
import type { OrderStatus } from '../src/order-rows.js';
import { createOrderSeeding, type OrderSeeding } from '../src/order-seeding.js';
import { createStatusMoves } from '../src/status-moves.js';
import { fakeProducts, type FakeProducts } from './support/fake-products.js';
import { openOrdersDatabase, PGLITE_TIMEOUT, storedState, writtenOrderId } from './support/orders-database.js';

const logger = testLogger('orders');
const ALICE: Viewer = { userId: randomUUID(), role: 'CUSTOMER', scopes: [] };
const BOB: Viewer = { userId: randomUUID(), role: 'CUSTOMER', scopes: [] };
const ADMIN: Viewer = { userId: randomUUID(), role: 'ADMIN', scopes: scopesOfRole('ADMIN') };
const STATUSES = Object.keys(NEXT_STATUSES) as OrderStatus[];
const LEGAL: [OrderStatus, OrderStatus][] = [
  ['PENDING', 'PAID'],
  ['PAID', 'SHIPPED'],
  ['SHIPPED', 'DELIVERED'],
  ['PENDING', 'CANCELLED'],
  ['PAID', 'CANCELLED'],
];
const ILLEGAL = STATUSES.flatMap((from) => STATUSES.map((to): [OrderStatus, OrderStatus] => [from, to])).filter(
  ([from, to]) => !LEGAL.some(([legalFrom, legalTo]) => legalFrom === from && legalTo === to),
);

describe('order lifecycle', { timeout: PGLITE_TIMEOUT }, () => {
  let db: Database;
  let products: FakeProducts;
  let lifecycle: OrderLifecycle;
  let reads: OrderReads;
  let seeding: OrderSeeding;

  beforeAll(async () => {
    db = await openOrdersDatabase();
    products = fakeProducts();
    lifecycle = createOrderLifecycle({ orders: createStatusMoves(db), products });
    reads = createOrderReads(db);
    seeding = createOrderSeeding(db);
  }, PGLITE_TIMEOUT);
  afterAll(() => db?.close());
  beforeEach(() => products.reset());

  /** A placed order of `owner` in `status`, written directly (placing is checkout's test). */
  async function orderIn(status: OrderStatus, owner: Viewer = ALICE): Promise<string> {
    const order = await seeding.createOrder({
      userId: owner.userId,
      status,
      currency: 'EUR',
      items: [{ productId: randomUUID(), quantity: 2, unitPriceCents: 450 }],
    });
    return order.id;
  }

  const history = async (orderId: string) => (await reads.listStatusHistoryByOrderIds([orderId])).map((change) => change.status);

  it.each(LEGAL)('lets an admin move an order from %s to %s, recording the change', async (from, to) => {
    const orderId = await orderIn(from);
    const moved = await lifecycle.updateStatus(ADMIN, orderId, to, logger);
    expect(moved).toMatchObject({ id: orderId, status: to, total_cents: 900, currency: 'EUR' });
    expect(await history(orderId)).toEqual([from, to]);
  });

  it.each(ILLEGAL)('refuses %s -> %s with CONFLICT and leaves the order as it was', async (from, to) => {
    const orderId = await orderIn(from);
    await expect(lifecycle.updateStatus(ADMIN, orderId, to, logger)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
      message: `An order cannot go from ${from} to ${to}`,
    });
    expect((await reads.listOrdersWithItemsByIds([orderId]))[0]?.status).toBe(from);
    expect(await history(orderId)).toEqual([from]);
    expect(products.calls.release).toEqual([]);
  });

  it('lets only one of two concurrent identical moves win; the other is a CONFLICT', async () => {
    const orderId = await orderIn('PENDING');
    const results = await Promise.allSettled([
      lifecycle.updateStatus(ADMIN, orderId, 'PAID', logger),
      lifecycle.updateStatus(ADMIN, orderId, 'PAID', logger),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { extensions: { code: 'CONFLICT' } } });
    expect(await history(orderId)).toHaveLength(2);
  });

  it('lets only admins update a status: FORBIDDEN for the owner, UNAUTHENTICATED when signed out', async () => {
    const orderId = await orderIn('PENDING');
    await expect(lifecycle.updateStatus(ALICE, orderId, 'PAID', logger)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(lifecycle.updateStatus(null, orderId, 'PAID', logger)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(await history(orderId)).toEqual(['PENDING']);
  });

  it('answers NOT_FOUND for an unknown order, and an order still being placed or failed', async () => {
    const placing = writtenOrderId(await createCheckoutWrites(db).createPlacingOrder(ALICE.userId, randomUUID(), [{ productId: randomUUID(), quantity: 1 }]));
    const failed = writtenOrderId(await createCheckoutWrites(db).createPlacingOrder(ALICE.userId, randomUUID(), [{ productId: randomUUID(), quantity: 1 }]));
    await createCheckoutWrites(db).claimFailed(failed, false);
    // An id that is no uuid never gets here: the resolvers refuse it as BAD_USER_INPUT (id-arguments.test.ts).
    for (const orderId of [randomUUID(), placing, failed]) {
      await expect(lifecycle.updateStatus(ADMIN, orderId, 'PAID', logger)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
      await expect(lifecycle.cancel(ALICE, orderId, logger)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    }
    expect((await storedState(db, placing))?.status).toBe('PLACING');
  });

  it.each(['PENDING', 'PAID'] as const)('lets the owner cancel a %s order and gives its stock back', async (status) => {
    const orderId = await orderIn(status);
    const cancelled = await lifecycle.cancel(ALICE, orderId, logger);
    expect(cancelled).toMatchObject({ id: orderId, status: 'CANCELLED' });
    expect(products.calls.release).toEqual([orderId]);
    expect(await storedState(db, orderId)).toEqual({ status: 'CANCELLED', stock_release_pending: false });
    expect(await history(orderId)).toEqual([status, 'CANCELLED']);
  });

  it('lets an admin cancel through updateStatus, giving the stock back too', async () => {
    const orderId = await orderIn('PAID', BOB);
    await lifecycle.updateStatus(ADMIN, orderId, 'CANCELLED', logger);
    expect(products.calls.release).toEqual([orderId]);
    expect(await storedState(db, orderId)).toEqual({ status: 'CANCELLED', stock_release_pending: false });
  });

  it("refuses cancelling someone else's order (FORBIDDEN) but lets an admin cancel it", async () => {
    const orderId = await orderIn('PENDING', BOB);
    await expect(lifecycle.cancel(ALICE, orderId, logger)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect((await storedState(db, orderId))?.status).toBe('PENDING');
    await expect(lifecycle.cancel(ADMIN, orderId, logger)).resolves.toMatchObject({ status: 'CANCELLED' });
  });

  it.each(['SHIPPED', 'DELIVERED', 'CANCELLED'] as const)('refuses cancelling a %s order with CONFLICT and releases nothing', async (status) => {
    const orderId = await orderIn(status);
    await expect(lifecycle.cancel(ADMIN, orderId, logger)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(products.calls.release).toEqual([]);
    expect((await storedState(db, orderId))?.stock_release_pending).toBe(false);
  });

  it('still cancels when products cannot be told, leaving the stock marked as owed for the reconciler', async () => {
    const orderId = await orderIn('PENDING');
    products.down = true;
    await expect(lifecycle.cancel(ALICE, orderId, logger)).resolves.toMatchObject({ status: 'CANCELLED' });
    expect(await storedState(db, orderId)).toEqual({ status: 'CANCELLED', stock_release_pending: true });
    expect(await createCheckoutWrites(db).listOrderIdsAwaitingStockRelease(1000)).toContain(orderId);
  });
});
