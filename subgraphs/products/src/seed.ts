import { DEMO_ORDERS, DEMO_PRODUCTS, type Database, type Logger } from '@shop/service-kit';
import { createProductsRepository } from './products-repository.js';
import { createReservationsRepository } from './reservations-repository.js';
import { createStockKeeper } from './stock-keeper.js';

/**
 * Seeds the demo catalogue of DESIGN.md §2 when there are no products at all, and reserves the
 * stock of the demo orders (which the orders service seeds), so stock and orders agree.
 */
export async function seedDemoProducts(db: Database, logger: Logger): Promise<void> {
  const products = createProductsRepository(db);
  if ((await products.countProducts()) > 0) return;
  for (const product of DEMO_PRODUCTS) await products.createProduct(product);
  const stock = createStockKeeper(db, createReservationsRepository());
  for (const order of DEMO_ORDERS) await stock.reserve(order.id, order.items);
  logger.info({ products: DEMO_PRODUCTS.length, reservations: DEMO_ORDERS.length }, 'seeded demo products');
}
