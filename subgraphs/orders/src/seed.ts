import { DEMO_ORDERS, demoProduct, type Database, type Logger } from '@shop/service-kit';
import { createOrderReads, type OrderReads } from './order-reads.js';
import { createOrderSeeding, type OrderSeeding } from './order-seeding.js';

/** The verbs the seed writes with: what `createOrdersRepository(db)` gave it before it took the Database. */
type SeedWrites = Pick<OrderReads, 'countOrders'> & OrderSeeding;

/**
 * Seeds the demo orders of DESIGN.md §2 when there are no orders at all, at the demo
 * catalogue's prices (the ids and prices are shared demo data, so no call to products is needed).
 * Takes the orders Database; the repository form is still accepted only until its callers
 * outside src/ (index.ts, test/support/stack.ts, bench/seed.ts) pass the Database instead.
 */
export async function seedDemoOrders(db: Database | SeedWrites, logger: Logger): Promise<void> {
  const orders: SeedWrites = 'transaction' in db ? { ...createOrderReads(db), ...createOrderSeeding(db) } : db;
  if ((await orders.countOrders()) > 0) return;
  for (const order of DEMO_ORDERS) {
    await orders.createOrder({
      id: order.id,
      userId: order.userId,
      status: order.status,
      currency: 'EUR',
      items: order.items.map((item) => ({ ...item, unitPriceCents: demoProduct(item.productId).priceCents })),
    });
  }
  logger.info({ orders: DEMO_ORDERS.length }, 'seeded demo orders');
}
