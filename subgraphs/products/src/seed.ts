import { DEMO_PRODUCTS, type Logger } from '@shop/service-kit';
import type { ProductsRepository } from './products-repository.js';

/** Seeds the demo catalogue of DESIGN.md §2 when there are no products at all. */
export async function seedDemoProducts(products: ProductsRepository, logger: Logger): Promise<void> {
  if ((await products.countProducts()) > 0) return;
  for (const product of DEMO_PRODUCTS) await products.createProduct(product);
  logger.info({ products: DEMO_PRODUCTS.length }, 'seeded demo products');
}
