import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Database } from '@shop/service-kit';
import { openEmptyPglite } from '../../../service-kit/test/support/empty-database.js';
import { createProductsRepository } from '../src/products-repository.js';
import { createReservationsRepository } from '../src/reservations-repository.js';
import { createStockKeeper, type StockKeeper } from '../src/stock-keeper.js';

/** Opening PGlite and migrating it takes a second or more: once for the file, in beforeAll. */
const PGLITE_TIMEOUT = 30_000;
const TWICE = randomUUID();

describe('stock keeper', { timeout: PGLITE_TIMEOUT }, () => {
  let db: Database;
  let keeper: StockKeeper;

  beforeAll(async () => {
    db = await openEmptyPglite();
    await migrate(db, fileURLToPath(new URL('../migrations/', import.meta.url)));
    keeper = createStockKeeper(db, createReservationsRepository());
  }, PGLITE_TIMEOUT);
  afterAll(() => db?.close());

  // New products per test: the database is shared by the whole file.
  const product = async (stock: number, priceCents = 1000, currency = 'EUR') =>
    (await createProductsRepository(db).createProduct({ name: 'Teapot', description: '', priceCents, currency, stock })).id;
  const stockOf = async (...ids: string[]) =>
    (await createProductsRepository(db).listProductsByIds(ids)).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id)).map((row) => row.stock);

  it('takes every quantity in one go and records the prices of the moment', async () => {
    const [teapot, cups] = [await product(5, 2500), await product(10, 400)];
    const orderId = randomUUID();
    const reservation = await keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }, { productId: cups, quantity: 6 }]);
    expect(reservation).toEqual({
      order_id: orderId,
      status: 'RESERVED',
      items: [
        { product_id: teapot, quantity: 2, unit_price_cents: 2500, currency: 'EUR' },
        { product_id: cups, quantity: 6, unit_price_cents: 400, currency: 'EUR' },
      ],
    });
    expect(await stockOf(teapot, cups)).toEqual([3, 4]);
    expect(await keeper.find(orderId)).toEqual(reservation);
  });

  it('takes the last unit, and nothing more', async () => {
    const teapot = await product(2);
    await keeper.reserve(randomUUID(), [{ productId: teapot, quantity: 2 }]);
    await expect(keeper.reserve(randomUUID(), [{ productId: teapot, quantity: 1 }])).rejects.toMatchObject({
      extensions: { code: 'INSUFFICIENT_STOCK', productId: teapot },
    });
    expect(await stockOf(teapot)).toEqual([0]);
  });

  it('takes nothing at all when one item is short (INSUFFICIENT_STOCK names it) and records no reservation', async () => {
    const [teapot, cups] = [await product(5), await product(1)];
    const orderId = randomUUID();
    await expect(keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }, { productId: cups, quantity: 2 }])).rejects.toMatchObject({
      extensions: { code: 'INSUFFICIENT_STOCK', productId: cups },
    });
    expect(await stockOf(teapot, cups)).toEqual([5, 1]);
    expect(await keeper.find(orderId)).toBeNull();
  });

  it('takes nothing when a product does not exist (NOT_FOUND names it)', async () => {
    const teapot = await product(5);
    const missing = randomUUID();
    await expect(keeper.reserve(randomUUID(), [{ productId: teapot, quantity: 1 }, { productId: missing, quantity: 1 }])).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND', productId: missing },
    });
    expect(await stockOf(teapot)).toEqual([5]);
  });

  it('refuses items priced in more than one currency (BAD_USER_INPUT on items) and takes nothing', async () => {
    const [euros, dollars] = [await product(5, 1000, 'EUR'), await product(5, 1000, 'USD')];
    await expect(keeper.reserve(randomUUID(), [{ productId: euros, quantity: 1 }, { productId: dollars, quantity: 1 }])).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'items' },
    });
    expect(await stockOf(euros, dollars)).toEqual([5, 5]);
  });

  it.each([
    ['an order id that is no uuid', () => ({ orderId: 'order-1', items: [{ productId: randomUUID(), quantity: 1 }] }), 'orderId'],
    ['no items', () => ({ orderId: randomUUID(), items: [] }), 'items'],
    ['the same product twice', () => ({ orderId: randomUUID(), items: [{ productId: TWICE, quantity: 1 }, { productId: TWICE, quantity: 1 }] }), 'items'],
    ['a quantity below 1', () => ({ orderId: randomUUID(), items: [{ productId: randomUUID(), quantity: 0 }] }), 'items.0.quantity'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, request, field) => {
    const { orderId, items } = request();
    await expect(keeper.reserve(orderId, items)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
  });

  it('reserves once per order: a repeated reserve returns the first result and takes nothing more', async () => {
    const teapot = await product(5, 2500);
    const orderId = randomUUID();
    const first = await keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }]);
    await createProductsRepository(db).updateProduct(teapot, { priceCents: 9999 });
    expect(await keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }])).toEqual(first);
    expect(await keeper.reserve(orderId, [{ productId: teapot, quantity: 3 }])).toEqual(first);
    expect(await stockOf(teapot)).toEqual([3]);
  });

  it('takes the stock once for concurrent reserves of one order', async () => {
    const teapot = await product(5);
    const orderId = randomUUID();
    const results = await Promise.all([1, 2, 3].map(() => keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }])));
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(await stockOf(teapot)).toEqual([3]);
  });

  it('gives the stock back on release, once however often it is released', async () => {
    const [teapot, cups] = [await product(5), await product(10)];
    const orderId = randomUUID();
    await keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }, { productId: cups, quantity: 3 }]);
    const released = await keeper.release(orderId);
    expect(released).toMatchObject({ order_id: orderId, status: 'RELEASED' });
    expect(released.items).toHaveLength(2);
    expect(await keeper.release(orderId)).toEqual(released);
    expect(await stockOf(teapot, cups)).toEqual([5, 10]);
  });

  it('lets a release that comes first stop a late reserve for the same order', async () => {
    const teapot = await product(5);
    const orderId = randomUUID();
    expect(await keeper.release(orderId)).toEqual({ order_id: orderId, status: 'RELEASED', items: [] });
    expect(await keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }])).toMatchObject({ status: 'RELEASED', items: [] });
    expect(await stockOf(teapot)).toEqual([5]);
  });

  it('lets an order refused for stock be reserved later, once there is stock', async () => {
    const teapot = await product(1);
    const orderId = randomUUID();
    await expect(keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }])).rejects.toMatchObject({ extensions: { code: 'INSUFFICIENT_STOCK' } });
    await createProductsRepository(db).updateProduct(teapot, { stock: 4 });
    await expect(keeper.reserve(orderId, [{ productId: teapot, quantity: 2 }])).resolves.toMatchObject({ status: 'RESERVED' });
    expect(await stockOf(teapot)).toEqual([2]);
  });

  it('refuses releasing an order id that is no uuid, and finds nothing for one', async () => {
    await expect(keeper.release('order-1')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'orderId' } });
    expect(await keeper.find('order-1')).toBeNull();
  });
});
