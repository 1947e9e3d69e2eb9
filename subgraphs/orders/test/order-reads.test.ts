import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '@shop/service-kit';
import { createOrderReads, type OrderReads } from '../src/order-reads.js';
import { createOrderSeeding } from '../src/order-seeding.js';
import { openOrdersDatabase, PGLITE_TIMEOUT } from './support/orders-database.js';

describe('order reads by id', { timeout: PGLITE_TIMEOUT }, () => {
  let db: Database;
  let reads: OrderReads;
  const userId = randomUUID();
  const [teapot, cups] = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    db = await openOrdersDatabase();
    reads = createOrderReads(db);
  }, PGLITE_TIMEOUT);
  afterAll(() => db?.close());

  const seed = (items: { productId: string; quantity: number; unitPriceCents: number }[], status: 'PENDING' | 'PAID' = 'PENDING') =>
    createOrderSeeding(db).createOrder({ userId, status, currency: 'EUR', items });

  it('reads each order with its items in one statement, the items in their order, as the items read apart', async () => {
    const two = await seed([
      { productId: cups, quantity: 4, unitPriceCents: 400 },
      { productId: teapot, quantity: 1, unitPriceCents: 2500 },
    ]);
    const one = await seed([{ productId: teapot, quantity: 2, unitPriceCents: 2500 }], 'PAID');
    const statements: string[] = [];
    const counted: Queryable = {
      query: <Row extends object>(sql: string, params?: readonly unknown[]) => {
        statements.push(sql);
        return db.query<Row>(sql, params);
      },
    };

    const found = await createOrderReads(counted).listOrdersWithItemsByIds([two.id, one.id]);

    expect(statements).toHaveLength(1);
    const byId = new Map(found.map((order) => [order.id, order]));
    expect(byId.get(two.id)).toMatchObject({ user_id: userId, status: 'PENDING', total_cents: 4 * 400 + 2500, currency: 'EUR' });
    expect(byId.get(two.id)?.items.map((item) => [item.position, item.product_id, item.quantity, item.unit_price_cents, item.currency])).toEqual([
      [1, cups, 4, 400, 'EUR'],
      [2, teapot, 1, 2500, 'EUR'],
    ]);
    expect(byId.get(one.id)?.items).toEqual(await reads.listItemsByOrderIds([one.id]));
    expect(byId.get(two.id)?.items).toEqual(await reads.listItemsByOrderIds([two.id]));
  });

  it('reads an order without items with none, and leaves out ids that are no order, not a uuid, or not visible', async () => {
    const empty = await seed([]);
    const [placing] = await db.query<{ id: string }>(
      "INSERT INTO orders (user_id, status) VALUES ($1, 'PLACING') RETURNING id",
      [userId],
    );
    const found = await reads.listOrdersWithItemsByIds([empty.id, randomUUID(), 'not-a-uuid', placing!.id]);
    expect(found.map((order) => [order.id, order.items])).toEqual([[empty.id, []]]);
  });
});
