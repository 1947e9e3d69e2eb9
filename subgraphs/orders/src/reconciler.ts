import { defineCounter, type Logger } from '@shop/service-kit';
import type { CheckoutWrites } from './checkout-writes.js';
import type { StatusMoves } from './status-moves.js';
import type { ProductsClient } from './products-client.js';
import { totalFits } from './order-input.js';

export interface ReconcilerOptions {
  orders: CheckoutWrites;
  /** Where unpaid orders are expired. */
  moves: Pick<StatusMoves, 'expireUnpaidOrders'>;
  products: ProductsClient;
  logger: Logger;
  /** A PLACING order older than this has lost its placing process (crash, kill, lost answer). */
  stuckAfterMs: number;
  /** A PENDING order unpaid for longer than this is cancelled and its stock given back (ORDER_PAYMENT_WINDOW_MINUTES). */
  paymentWindowMs: number;
  /** Orders taken per kind of work per run: a run's work stays bounded, whatever waits. */
  batchSize?: number;
}

export interface ReconcileResult {
  confirmed: number;
  failed: number;
  /** Unpaid orders cancelled for being past the payment window. */
  expired: number;
  released: number;
}

/**
 * Finishes what a crash left half done, so stock held in products always matches live orders:
 * a stuck PLACING order is confirmed when products holds its reservation, else claimed FAILED
 * and released (which also stops a late reserve); an order left unpaid past the payment window is
 * cancelled, so no one holds stock by placing orders they never pay; a cancelled or failed order
 * whose stock was not yet given back is released (an expired one in the same run). Confirming and
 * claiming are conditional on PLACING, expiring takes its rows locked (SKIP LOCKED), and every call
 * to products is idempotent, so replicas may run it at the same time.
 */
export function createReconciler({ orders, moves, products, logger, stuckAfterMs, paymentWindowMs, batchSize = 100 }: ReconcilerOptions) {
  const metrics = reconcilerMetrics();

  /** One run, counted: its outcome, and what it fixed. */
  async function runOnce(): Promise<ReconcileResult> {
    try {
      const result = await reconcile();
      metrics.runs.inc({ outcome: 'success' });
      for (const name of RESULTS) metrics.reconciled.inc({ result: name }, result[name]);
      return result;
    } catch (error) {
      metrics.runs.inc({ outcome: 'error' });
      throw error;
    }
  }

  async function reconcile(): Promise<ReconcileResult> {
    const result: ReconcileResult = { confirmed: 0, failed: 0, expired: 0, released: 0 };
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
    // Marked as owing their stock, which the loop below gives back through the one idempotent path.
    result.expired = (await moves.expireUnpaidOrders(paymentWindowMs, batchSize)).length;
    for (const orderId of await orders.listOrderIdsAwaitingStockRelease(batchSize)) {
      await step(orderId, async () => {
        await products.releaseStock(orderId);
        await orders.markStockReleased(orderId);
        result.released++;
      });
    }
    if (result.confirmed + result.failed + result.expired + result.released > 0) logger.info(result, 'reconciled orders');
    return result;
  }

  /** One order's step; a failure is logged and retried next run without holding up the others. */
  async function step(orderId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      metrics.deferred.inc();
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

const RESULTS = ['confirmed', 'failed', 'expired', 'released'] as const satisfies readonly (keyof ReconcileResult)[];

/**
 * Runs by outcome (error: the run itself failed, say the database), orders fixed by result, and
 * order steps put off to the next run; every series starts at 0 so a rate shows from the first scrape.
 */
function reconcilerMetrics() {
  const runs = defineCounter({
    name: 'orders_reconciler_runs_total',
    help: 'Reconciler runs, by outcome (success; error: the run failed as a whole and is retried next interval)',
    labelNames: ['outcome'],
  });
  const reconciled = defineCounter({
    name: 'orders_reconciled_total',
    help: 'Orders the reconciler fixed, by result (confirmed: a stuck order whose stock products held; failed: a stuck order it gave up; expired: an unpaid order cancelled past the payment window; released: stock given back for a cancelled or failed order)',
    labelNames: ['result'],
  });
  const deferred = defineCounter({
    name: 'orders_reconciler_deferred_total',
    help: 'Order steps the reconciler could not finish (products or the database failed); retried next run',
  });
  for (const outcome of ['success', 'error']) runs.inc({ outcome }, 0);
  for (const result of RESULTS) reconciled.inc({ result }, 0);
  return { runs, reconciled, deferred };
}
