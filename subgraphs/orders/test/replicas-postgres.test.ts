import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '@shop/service-kit';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { testLogger } from '../../../test/support/logger.js';
import { createCheckoutWrites } from '../src/checkout-writes.js';
import { createReconciler } from '../src/reconciler.js';
import { createStatusMoves } from '../src/status-moves.js';
import { fakeProducts } from './support/fake-products.js';

const PAYMENT_WINDOW_MS = 30 * 60_000;

/**
 * What must hold while several replicas of orders share one PostgreSQL (PGlite runs one
 * transaction at a time, so only a server shows it): two processes' pools, statements interleaved.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('orders replicas on one PostgreSQL', { timeout: 30_000 }, () => {
  let database: TestDatabase;
  let replicas: [Database, Database];

  beforeAll(async () => {
    database = await createTestDatabase('orders_replicas');
    replicas = await Promise.all([openDatabase({ url: database.url }), openDatabase({ url: database.url })]);
    await migrate(replicas[0], fileURLToPath(new URL('../migrations/', import.meta.url)));
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((db) => db.close()));
    await database?.drop();
  });

  it('lets only one of many concurrent attempts of one customer take the last open-order slot', async () => {
    const max = 3;
    const userId = randomUUID();
    const [one, other] = replicas.map(createCheckoutWrites);
    for (let n = 1; n < max; n++) await one!.createPlacingOrder(userId, `open-${n}`, [{ productId: randomUUID(), quantity: 1 }], max);

    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, n) => (n % 2 ? one! : other!).createPlacingOrder(userId, `race-${n}`, [{ productId: randomUUID(), quantity: 1 }], max)),
    );

    expect(attempts.filter((attempt) => attempt.kind === 'written')).toHaveLength(1);
    expect(attempts.filter((attempt) => attempt.kind === 'full')).toEqual(Array.from({ length: 11 }, () => ({ kind: 'full', openOrders: max })));
    const [{ open } = { open: -1 }] = await replicas[0].query<{ open: number }>("SELECT count(*)::int AS open FROM orders WHERE user_id = $1 AND status IN ('PLACING', 'PENDING')", [userId]);
    expect(open).toBe(max);
  });

  it('expires each unpaid order once, with one event, when replicas reconcile at the same time', async () => {
    const products = fakeProducts();
    const teapot = products.addProduct({ priceCents: 900, currency: 'EUR', stock: 20 });
    const writes = createCheckoutWrites(replicas[0]);
    const orderIds: string[] = [];
    for (let n = 0; n < 8; n++) {
      const intent = await writes.createPlacingOrder(randomUUID(), randomUUID(), [{ productId: teapot, quantity: 2 }]);
      if (intent.kind !== 'written') throw new Error('the order intent was not written');
      const { items } = await products.reserveStock(intent.orderId, [{ productId: teapot, quantity: 2 }]);
      await writes.confirmOrder(intent.orderId, items);
      orderIds.push(intent.orderId);
    }
    await replicas[0].query("UPDATE orders SET updated_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])", [orderIds]);
    expect(products.stockOf(teapot)).toBe(4);
    const reconcilers = replicas.map((db) =>
      createReconciler({
        orders: createCheckoutWrites(db),
        moves: createStatusMoves(db),
        products,
        logger: testLogger('orders'),
        stuckAfterMs: 60_000,
        paymentWindowMs: PAYMENT_WINDOW_MS,
        batchSize: 5,
      }),
    );

    const runs = await Promise.all([...reconcilers, ...reconcilers].map((reconciler) => reconciler.runOnce()));

    expect(runs.reduce((sum, run) => sum + run.expired, 0)).toBe(orderIds.length);
    const events = await replicas[0].query<{ order_id: string; reason: string | null }>(
      "SELECT order_id, reason FROM order_events WHERE type = 'order.cancelled' AND order_id = ANY($1::uuid[])",
      [orderIds],
    );
    expect(events.map((event) => event.order_id).sort()).toEqual([...orderIds].sort());
    expect(new Set(events.map((event) => event.reason))).toEqual(new Set(['PAYMENT_WINDOW_EXPIRED']));
    // Given back exactly once, whoever released it: what products holds is what it held before.
    await Promise.all(reconcilers.map((reconciler) => reconciler.runOnce()));
    expect(products.stockOf(teapot)).toBe(20);
  });
});
