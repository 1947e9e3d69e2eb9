import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Viewer } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import { createCheckout, type Checkout } from '../src/checkout.js';
import { createCheckoutWrites, type CheckoutWrites } from '../src/checkout-writes.js';
import { createOrderReads, type OrderReads } from '../src/order-reads.js';
import { MAX_TOTAL_CENTS } from '../src/order-input.js';
import { fakeProducts, type FakeProducts } from './support/fake-products.js';
import { openOrdersDatabase, PGLITE_TIMEOUT, storedState, writtenOrderId } from './support/orders-database.js';

const logger = testLogger('orders');
const WAIT_FOR_ATTEMPT_MS = 300;
const MAX_OPEN_ORDERS = 3;

describe('checkout', { timeout: PGLITE_TIMEOUT }, () => {
  let db: Database;
  let products: FakeProducts;
  let writes: CheckoutWrites;
  let reads: OrderReads;
  let checkout: Checkout;
  let viewer: Viewer;
  let teapot: string;
  let cups: string;

  beforeAll(async () => {
    db = await openOrdersDatabase();
    products = fakeProducts();
    writes = createCheckoutWrites(db);
    reads = createOrderReads(db);
    checkout = createCheckout({ orders: writes, products, waitForAttemptMs: WAIT_FOR_ATTEMPT_MS, maxOpenOrders: MAX_OPEN_ORDERS });
  }, PGLITE_TIMEOUT);
  afterAll(() => db?.close());

  // A new customer and new products per test: the database is shared by the whole file.
  beforeEach(() => {
    products.reset();
    viewer = { userId: randomUUID(), role: 'CUSTOMER', scopes: [] };
    teapot = products.addProduct({ priceCents: 2500, currency: 'EUR', stock: 10 });
    cups = products.addProduct({ priceCents: 400, currency: 'EUR', stock: 10 });
  });

  const place = (items: { productId: string; quantity: number }[], idempotencyKey = 'click-1', who: Viewer = viewer) =>
    checkout.placeOrder(who, { items, idempotencyKey }, logger);

  /** What the customer can see of their orders. */
  const visibleOrders = async (who: Viewer = viewer) => (await reads.listOrdersPage({ limit: 100, userId: who.userId })).rows;

  it('places a PENDING order at the prices products reserved at, with their sum as the total', async () => {
    const order = await place([{ productId: teapot, quantity: 1 }, { productId: cups, quantity: 4 }]);
    expect(order).toMatchObject({ user_id: viewer.userId, status: 'PENDING', total_cents: 2500 + 4 * 400, currency: 'EUR' });
    const items = await reads.listItemsByOrderIds([order.id]);
    expect(items.map(({ product_id, quantity, unit_price_cents, currency }) => ({ product_id, quantity, unit_price_cents, currency }))).toEqual([
      { product_id: teapot, quantity: 1, unit_price_cents: 2500, currency: 'EUR' },
      { product_id: cups, quantity: 4, unit_price_cents: 400, currency: 'EUR' },
    ]);
    expect((await reads.listStatusHistoryByOrderIds([order.id])).map((change) => change.status)).toEqual(['PENDING']);
    expect([products.stockOf(teapot), products.stockOf(cups)]).toEqual([9, 6]);
  });

  it('keeps the prices of order time when the catalogue changes later', async () => {
    const order = await place([{ productId: teapot, quantity: 2 }]);
    products.catalogue.get(teapot)!.priceCents = 9999;
    expect((await reads.listOrdersWithItemsByIds([order.id]))[0]?.total_cents).toBe(5000);
    expect((await reads.listItemsByOrderIds([order.id]))[0]?.unit_price_cents).toBe(2500);
  });

  it('returns the first order for a repeated idempotencyKey and reserves nothing twice', async () => {
    const first = await place([{ productId: teapot, quantity: 3 }]);
    const again = await place([{ productId: teapot, quantity: 3 }], '  click-1  ');
    expect(again.id).toBe(first.id);
    expect(products.calls.reserve).toEqual([first.id]);
    expect(products.stockOf(teapot)).toBe(7);
    expect(await visibleOrders()).toHaveLength(1);
  });

  it('places one order for concurrent calls with the same key', async () => {
    const orders = await Promise.all([1, 2, 3].map(() => place([{ productId: teapot, quantity: 1 }])));
    expect(new Set(orders.map((order) => order.id)).size).toBe(1);
    expect(products.calls.reserve).toHaveLength(1);
    expect(products.stockOf(teapot)).toBe(9);
  });

  it('refuses a repeated key with other items (CONFLICT) and keeps the first order as it was', async () => {
    await place([{ productId: teapot, quantity: 1 }]);
    await expect(place([{ productId: teapot, quantity: 2 }])).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    await expect(place([{ productId: cups, quantity: 1 }])).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(products.calls.reserve).toHaveLength(1);
    expect(products.stockOf(teapot)).toBe(9);
  });

  it('keeps idempotency keys per user: the same key from another user is another order', async () => {
    const other: Viewer = { userId: randomUUID(), role: 'CUSTOMER', scopes: [] };
    const mine = await place([{ productId: teapot, quantity: 1 }]);
    const theirs = await place([{ productId: teapot, quantity: 1 }], 'click-1', other);
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.user_id).toBe(other.userId);
    expect(products.stockOf(teapot)).toBe(8);
  });

  it('checks the input before writing or reserving anything: quantities 1..1000', async () => {
    for (const quantity of [0, 1001]) {
      await expect(place([{ productId: teapot, quantity }])).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'items.0.quantity' },
      });
    }
    expect(products.calls.reserve).toEqual([]);
    expect(await db.query('SELECT id FROM orders WHERE user_id = $1', [viewer.userId])).toEqual([]);
  });

  it.each([
    ['stock does not suffice for one item', () => [{ productId: teapot, quantity: 1 }, { productId: cups, quantity: 11 }], { code: 'INSUFFICIENT_STOCK' }],
    ['one product does not exist', () => [{ productId: teapot, quantity: 1 }, { productId: randomUUID(), quantity: 1 }], { code: 'NOT_FOUND' }],
  ])('places nothing and takes no stock when %s, and the key may be used again', async (_case, items, error) => {
    await expect(place(items())).rejects.toMatchObject({ extensions: error });
    expect(await visibleOrders()).toEqual([]);
    expect([products.stockOf(teapot), products.stockOf(cups)]).toEqual([10, 10]);
    const [attempt] = await db.query<{ id: string }>('SELECT id FROM orders WHERE user_id = $1', [viewer.userId]);
    // A verdict means products took nothing: no stock is owed back.
    expect(await storedState(db, attempt!.id)).toEqual({ status: 'FAILED', stock_release_pending: false });
    expect(products.calls.release).toEqual([]);

    const retried = await place([{ productId: teapot, quantity: 1 }]);
    expect(retried).toMatchObject({ status: 'PENDING', total_cents: 2500 });
  });

  it('refuses items priced in more than one currency (BAD_USER_INPUT on items) and places nothing', async () => {
    const dollars = products.addProduct({ priceCents: 300, currency: 'USD', stock: 10 });
    await expect(place([{ productId: teapot, quantity: 1 }, { productId: dollars, quantity: 1 }])).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'items' },
    });
    expect(await visibleOrders()).toEqual([]);
    expect(products.stockOf(teapot)).toBe(10);
  });

  it('answers SERVICE_UNAVAILABLE when products is down, and owes back whatever products may hold', async () => {
    products.down = true;
    await expect(place([{ productId: teapot, quantity: 1 }])).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    const [attempt] = await db.query<{ id: string }>('SELECT id FROM orders WHERE user_id = $1', [viewer.userId]);
    expect(await storedState(db, attempt!.id)).toEqual({ status: 'FAILED', stock_release_pending: true });
    expect(await writes.listOrderIdsAwaitingStockRelease(1000)).toContain(attempt!.id);
    expect(await visibleOrders()).toEqual([]);
  });

  it('gives the stock back at once when a reserve happened but its answer was lost', async () => {
    products.loseNextReserveAnswer = true;
    await expect(place([{ productId: teapot, quantity: 2 }])).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    const [attempt] = await db.query<{ id: string }>('SELECT id FROM orders WHERE user_id = $1', [viewer.userId]);
    expect(products.calls.release).toEqual([attempt!.id]);
    expect(products.stockOf(teapot)).toBe(10);
    expect(await storedState(db, attempt!.id)).toEqual({ status: 'FAILED', stock_release_pending: false });
  });

  it('answers SERVICE_UNAVAILABLE when products had already released the order before the reserve arrived', async () => {
    products.beforeReserve = async (orderId) => {
      await products.releaseStock(orderId);
    };
    await expect(place([{ productId: teapot, quantity: 1 }])).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(products.stockOf(teapot)).toBe(10);
    expect(await visibleOrders()).toEqual([]);
  });

  it('refuses a total larger than a GraphQL Int (BAD_USER_INPUT) and gives the stock back', async () => {
    const yacht = products.addProduct({ priceCents: MAX_TOTAL_CENTS, currency: 'EUR', stock: 5 });
    await expect(place([{ productId: yacht, quantity: 2 }])).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'items' } });
    expect(products.stockOf(yacht)).toBe(5);
    expect(await visibleOrders()).toEqual([]);
  });

  it('returns the order the reconciler confirmed while products was answering', async () => {
    products.beforeReserve = async (orderId) => {
      await writes.confirmOrder(orderId, [{ productId: teapot, quantity: 1, unitPriceCents: 2500, currency: 'EUR' }]);
    };
    const order = await place([{ productId: teapot, quantity: 1 }]);
    expect(order).toMatchObject({ status: 'PENDING', total_cents: 2500 });
    expect(await visibleOrders()).toHaveLength(1);
  });

  it('waits for a first attempt still being placed, and answers with it once confirmed', async () => {
    const orderId = writtenOrderId(await writes.createPlacingOrder(viewer.userId, 'click-1', [{ productId: teapot, quantity: 1 }]));
    const repeated = place([{ productId: teapot, quantity: 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writes.confirmOrder(orderId, [{ productId: teapot, quantity: 1, unitPriceCents: 2500, currency: 'EUR' }]);
    await expect(repeated).resolves.toMatchObject({ id: orderId, status: 'PENDING' });
    expect(products.calls.reserve).toEqual([]);
  });

  it('answers SERVICE_UNAVAILABLE when the first attempt is still being placed after the wait', async () => {
    await writes.createPlacingOrder(viewer.userId, 'click-1', [{ productId: teapot, quantity: 1 }]);
    const started = Date.now();
    await expect(place([{ productId: teapot, quantity: 1 }])).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_FOR_ATTEMPT_MS);
    expect(products.calls.reserve).toEqual([]);
  });
  describe('open orders per customer', () => {
    /** The customer's open orders (PLACING or PENDING), straight from the table. */
    const openOrders = async () =>
      (await db.query<{ count: number }>("SELECT count(*)::int AS count FROM orders WHERE user_id = $1 AND status IN ('PLACING', 'PENDING')", [viewer.userId]))[0]!.count;
    const fillUp = async () => {
      const placed = [];
      for (let n = 1; n <= MAX_OPEN_ORDERS; n++) placed.push(await place([{ productId: teapot, quantity: 1 }], `open-${n}`));
      return placed;
    };

    it('refuses one more with CONFLICT saying how many are open and what frees a slot, writing and reserving nothing', async () => {
      await fillUp();
      const refusal = await place([{ productId: cups, quantity: 1 }], 'one-too-many').catch((error: unknown) => error);
      expect(refusal).toMatchObject({ extensions: { code: 'CONFLICT' } });
      expect((refusal as Error).message).toMatch(new RegExp(`^You have ${MAX_OPEN_ORDERS} open orders waiting for payment.*pay or cancel one`));
      expect(products.calls.reserve).toHaveLength(MAX_OPEN_ORDERS);
      expect(products.stockOf(cups)).toBe(10);
      expect(await db.query('SELECT id FROM orders WHERE user_id = $1 AND idempotency_key = $2', [viewer.userId, 'one-too-many'])).toEqual([]);
    });

    it('still answers a repeated key with its first order at the limit', async () => {
      const [first] = await fillUp();
      await expect(place([{ productId: teapot, quantity: 1 }], 'open-1')).resolves.toMatchObject({ id: first!.id });
      expect(products.calls.reserve).toHaveLength(MAX_OPEN_ORDERS);
    });

    it('frees a slot for each order paid or cancelled; failed attempts and other customers take none', async () => {
      const [first, second] = await fillUp();
      await expect(place([{ productId: teapot, quantity: 1 }], 'while-full')).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
      await expect(place([{ productId: teapot, quantity: 1 }], 'theirs', { userId: randomUUID(), role: 'CUSTOMER', scopes: [] })).resolves.toMatchObject({ status: 'PENDING' });
      await db.query("UPDATE orders SET status = 'PAID' WHERE id = $1", [first!.id]);
      await db.query("UPDATE orders SET status = 'CANCELLED' WHERE id = $1", [second!.id]);
      // Refused for want of stock: it ends FAILED and holds no slot.
      await expect(place([{ productId: cups, quantity: 11 }], 'too-many-cups')).rejects.toMatchObject({ extensions: { code: 'INSUFFICIENT_STOCK' } });
      await expect(place([{ productId: teapot, quantity: 1 }], 'after-paying')).resolves.toMatchObject({ status: 'PENDING' });
      await expect(place([{ productId: teapot, quantity: 1 }], 'after-cancelling')).resolves.toMatchObject({ status: 'PENDING' });
      expect(await openOrders()).toBe(MAX_OPEN_ORDERS);
    });

    it('lets only one of two concurrent orders take the last slot', async () => {
      for (let n = 1; n < MAX_OPEN_ORDERS; n++) await place([{ productId: teapot, quantity: 1 }], `open-${n}`);
      const results = await Promise.allSettled([place([{ productId: teapot, quantity: 1 }], 'a'), place([{ productId: cups, quantity: 1 }], 'b')]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: { extensions: { code: 'CONFLICT' } } });
      expect(await openOrders()).toBe(MAX_OPEN_ORDERS);
    });
  });
});
