import type { Logger } from '@shop/service-kit';
import type { ProductsClient } from './products-client.js';

/**
 * Asks products to give an order's stock back, then records that in orders. If products cannot
 * be told now, nothing is recorded and the reconciler retries later; the caller's answer stands.
 */
export async function releaseStockOrDefer(
  products: ProductsClient,
  orderId: string,
  record: () => Promise<void>,
  logger: Logger,
): Promise<void> {
  try {
    await products.releaseStock(orderId);
    await record();
  } catch (error) {
    logger.warn({ err: error, orderId }, 'could not release the stock of an order now; the reconciler will');
  }
}
