import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import { createCheckoutWrites, type CheckoutWrites } from '../src/checkout-writes.js';
import { createOrderReads, type OrderReads } from '../src/order-reads.js';
import { MAX_TOTAL_CENTS } from '../src/order-input.js';
import { createReconciler, type Reconciler } from '../src/reconciler.js';
import { fakeProducts, type FakeProducts } from './support/fake-products.js';
import { openOrdersDatabase, PGLITE_TIMEOUT, storedState } from './support/orders-database.js';

const STUCK_AFTER_MS = 60_000;

describe('reconciler', { timeout: PGLITE_TIMEOUT }, () => {
  let db: Database;
  let products: FakeProducts;
  let writes: CheckoutWrites;
  let reads: OrderReads;
  let reconciler: Reconciler;
  let teapot: string;

  beforeAll(async () => {
    db = await openOrdersDatabase();
    products = fakeProducts();
    writes = createCheckoutWrites(db);
    reads = createOrderReads(db);
    reconciler = createReconciler({ orders: writes, products, logger: testLogger('orders'), stuckAfterMs: STUCK_AFTER_MS });
  }, PGLITE_TIMEOUT);
  afterAll(() => db?.close());

  // The reconciler sweeps the whole table, so each test starts from an empty one.
  beforeEach(async () => {
    await db.query('DELETE FROM orders');
    products.reset();
    teapot = products.addProduct({ priceCents: 2500, currency: 'EUR', stock: 10 });
  });

  /** A PLACING order whose placing process died `ageMs` ago (a crash between the steps of checkout). */
  async function placingOrder(ageMs = 2 * STUCK_AFTER_MS, quantity = 2): Promise<string> {
    const orderId = (await writes.createPlacingOrder(randomUUID(), randomUUID(), [{ productId: teapot, quantity }]))!;
    await db.query("UPDATE orders SET created_at = now() - make_interval(secs => $2::double precision / 1000) WHERE id = $1", [orderId, ageMs]);
    return orderId;
  }

  it('confirms a stuck PLACING order whose stock products holds, at the reserved prices', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 1, failed: 0, released: 0 });
    const [order] = await reads.listOrdersWithItemsByIds([orderId]);
    expect(order).toMatchObject({ status: 'PENDING', total_cents: 5000, currency: 'EUR' });
    expect(order?.items[0]).toMatchObject({ unit_price_cents: 2500, currency: 'EUR' });
    expect(await reads.listItemsByOrderIds([orderId])).toEqual(order?.items);
    expect(products.stockOf(teapot)).toBe(8);
  });

  it('fails a stuck order products never reserved, and releases it so a late reserve takes nothing', async () => {
    const orderId = await placingOrder();

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 1, released: 1 });
    expect(await storedState(db, orderId)).toEqual({ status: 'FAILED', stock_release_pending: false });
    expect(products.calls.release).toEqual([orderId]);
    await expect(products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }])).resolves.toMatchObject({ status: 'RELEASED' });
    expect(products.stockOf(teapot)).toBe(10);
  });

  it('fails a stuck order whose reservation was already released', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);
    await products.releaseStock(orderId);

    expect(await reconciler.runOnce()).toMatchObject({ confirmed: 0, failed: 1 });
    expect((await storedState(db, orderId))?.status).toBe('FAILED');
    expect(products.stockOf(teapot)).toBe(10);
  });

  it('fails and releases a stuck order whose reserved total is larger than the API can carry', async () => {
    const yacht = products.addProduct({ priceCents: MAX_TOTAL_CENTS, currency: 'EUR', stock: 5 });
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: yacht, quantity: 2 }]);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 1, released: 1 });
    expect(products.stockOf(yacht)).toBe(5);
  });

  it('leaves a PLACING order younger than stuckAfterMs to its placing process', async () => {
    const orderId = await placingOrder(0);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, released: 0 });
    expect(products.calls.find).toEqual([]);
    expect((await storedState(db, orderId))?.status).toBe('PLACING');
  });

  it('releases the stock of a cancelled order products could not be told about, once', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);
    await writes.confirmOrder(orderId, [{ productId: teapot, quantity: 2, unitPriceCents: 2500, currency: 'EUR' }]);
    await db.query("UPDATE orders SET status = 'CANCELLED', stock_release_pending = true WHERE id = $1", [orderId]);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, released: 1 });
    expect(products.stockOf(teapot)).toBe(10);
    expect(await storedState(db, orderId)).toEqual({ status: 'CANCELLED', stock_release_pending: false });
    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, released: 0 });
    expect(products.calls.release).toEqual([orderId]);
  });

  it('changes nothing while products is down and finishes the work on a later run', async () => {
    const stuck = await placingOrder();
    await products.reserveStock(stuck, [{ productId: teapot, quantity: 2 }]);
    const cancelled = await placingOrder();
    await writes.claimFailed(cancelled, true);
    products.down = true;

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, released: 0 });
    expect(await storedState(db, stuck)).toEqual({ status: 'PLACING', stock_release_pending: false });
    expect(await storedState(db, cancelled)).toEqual({ status: 'FAILED', stock_release_pending: true });

    products.down = false;
    expect(await reconciler.runOnce()).toEqual({ confirmed: 1, failed: 0, released: 1 });
    expect(await storedState(db, cancelled)).toEqual({ status: 'FAILED', stock_release_pending: false });
  });

  it('keeps going past an order it cannot reconcile now', async () => {
    const first = await placingOrder(3 * STUCK_AFTER_MS);
    const second = await placingOrder();
    await products.reserveStock(second, [{ productId: teapot, quantity: 2 }]);
    const find = products.findReservation.bind(products);
    products.findReservation = async (orderId) => {
      if (orderId === first) throw new Error('connection reset');
      return find(orderId);
    };
    try {
      expect(await reconciler.runOnce()).toMatchObject({ confirmed: 1 });
    } finally {
      products.findReservation = find;
    }
    expect((await storedState(db, first))?.status).toBe('PLACING');
    expect((await storedState(db, second))?.status).toBe('PENDING');
  });

  it('does not undo what checkout decided first: a confirmed order stays confirmed, a failed one failed', async () => {
    const confirmed = await placingOrder();
    await products.reserveStock(confirmed, [{ productId: teapot, quantity: 2 }]);
    await writes.confirmOrder(confirmed, [{ productId: teapot, quantity: 2, unitPriceCents: 2500, currency: 'EUR' }]);
    const failed = await placingOrder();
    await writes.claimFailed(failed, false);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, released: 0 });
    expect((await storedState(db, confirmed))?.status).toBe('PENDING');
    expect((await storedState(db, failed))?.status).toBe('FAILED');
  });

  it('runs at once when started, and stop waits for the run in progress', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);
    const stop = reconciler.start(60_000);
    await stop();
    expect((await storedState(db, orderId))?.status).toBe('PENDING');
  });
});
