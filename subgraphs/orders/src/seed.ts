import { DEMO_ORDERS, demoProduct, type Database, type Logger } from '@shop/service-kit';
import { createOrderReads } from './order-reads.js';
import { createOrderSeeding } from './order-seeding.js';

/**
 * Seeds the demo orders of DESIGN.md §2 when there are no orders at all, at the demo
 * catalogue's prices (the ids and prices are shared demo data, so no call to products is needed).
 */
export async function seedDemoOrders(db: Database, logger: Logger): Promise<void> {
  if ((await createOrderReads(db).countOrders()) > 0) return;
  const seeding = createOrderSeeding(db);
  for (const order of DEMO_ORDERS) {
    await seeding.createOrder({
      id: order.id,
      userId: order.userId,
      status: order.status,
      currency: 'EUR',
      items: order.items.map((item) => ({ ...item, unitPriceCents: demoProduct(item.productId).priceCents })),
    });
  }
  logger.info({ orders: DEMO_ORDERS.length }, 'seeded demo orders');
}
