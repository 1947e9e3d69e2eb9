import type { Logger } from '@shop/service-kit';
import type { CheckoutWrites } from './checkout-writes.js';
import type { ProductsClient } from './products-client.js';
import { totalFits } from './order-input.js';

export interface ReconcilerOptions {
  orders: CheckoutWrites;
  products: ProductsClient;
  logger: Logger;
  /** A PLACING order older than this has lost its placing process (crash, kill, lost answer). */
  stuckAfterMs: number;
  batchSize?: number;
}

export interface ReconcileResult {
  confirmed: number;
  failed: number;
  released: number;
}

/**
 * Finishes what a crash left half done, so stock held in products always matches live orders:
 * a stuck PLACING order is confirmed when products holds its reservation, else claimed FAILED
 * and released (which also stops a late reserve); a cancelled or failed order whose stock was
 * not yet given back is released. Confirming and claiming are conditional on PLACING, and every
 * call to products is idempotent, so replicas may run it at the same time.
 */
export function createReconciler({ orders, products, logger, stuckAfterMs, batchSize = 100 }: ReconcilerOptions) {
  async function runOnce(): Promise<ReconcileResult> {
    const result: ReconcileResult = { confirmed: 0, failed: 0, released: 0 };
    for (const order of await orders.listStuckPlacingOrders(stuckAfterMs, batchSize)) {
      await step(order.id, async () => {
        const reservation = await products.findReservation(order.id);
        if (reservation?.status === 'RESERVED' && totalFits(reservation.items)) {
          if (await orders.confirmOrder(order.id, reservation.items)) result.confirmed++;
        } else if (await orders.claimFailed(order.id, true)) {
          result.failed++; // its stock (if any) is released by the loop below
        }
      });
    }
    for (const orderId of await orders.listOrderIdsAwaitingStockRelease(batchSize)) {
      await step(orderId, async () => {
        await products.releaseStock(orderId);
        await orders.markStockReleased(orderId);
        result.released++;
      });
    }
    if (result.confirmed + result.failed + result.released > 0) logger.info(result, 'reconciled orders');
    return result;
  }

  /** One order's step; a failure is logged and retried next run without holding up the others. */
  async function step(orderId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      logger.warn({ err: error, orderId }, 'could not reconcile an order now; will retry');
    }
  }

  /** Runs now and then every `intervalMs` until the returned stop is called. */
  function start(intervalMs: number): () => Promise<void> {
    let running: Promise<unknown> | undefined;
    const tick = () => {
      if (running) return; // the previous run is still going
      running = runOnce()
        .catch((error: unknown) => logger.warn({ err: error }, 'reconciliation failed; will retry'))
        .finally(() => (running = undefined));
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }

  return { runOnce, start };
}

export type Reconciler = ReturnType<typeof createReconciler>;
