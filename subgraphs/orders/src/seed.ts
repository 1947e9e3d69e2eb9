import { DEMO_ORDERS, demoProduct, type Logger } from '@shop/service-kit';
import type { OrdersRepository } from './orders-repository.js';

/**
 * Seeds the demo orders of DESIGN.md §2 when there are no orders at all, at the demo
 * catalogue's prices (the ids and prices are shared demo data, so no call to products is needed).
 */
export async function seedDemoOrders(orders: OrdersRepository, logger: Logger): Promise<void> {
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
