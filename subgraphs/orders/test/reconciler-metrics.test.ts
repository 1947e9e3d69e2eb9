import { describe, expect, it } from 'vitest';
import { metricsRegistry } from '@shop/service-kit';
import { parseScrape } from '../../../test/support/prometheus.js';
import { testLogger } from '../../../test/support/logger.js';
import type { CheckoutWrites } from '../src/checkout-writes.js';
import { createReconciler } from '../src/reconciler.js';
import { fakeProducts } from './support/fake-products.js';

/**
 * Orders' writes as the reconciler sees them, in memory: `stuck` PLACING orders, `unpaid` orders
 * past the payment window, and `awaitingRelease` orders owing stock.
 */
function fakeOrders(options: { stuck: string[]; unpaid?: string[]; awaitingRelease: string[]; failListing?: boolean }) {
  const awaiting = new Set(options.awaitingRelease);
  const writes = {
    listStuckPlacingOrders: async () => {
      if (options.failListing) throw new Error('the database is down');
      return options.stuck.splice(0).map((id) => ({ id }));
    },
    confirmOrder: async () => ({}),
    claimFailed: async (orderId: string) => {
      awaiting.add(orderId);
      return true;
    },
    listOrderIdsAwaitingStockRelease: async () => [...awaiting],
    markStockReleased: async (orderId: string) => void awaiting.delete(orderId),
  };
  const moves = {
    expireUnpaidOrders: async () => {
      const expired = (options.unpaid ?? []).splice(0);
      for (const orderId of expired) awaiting.add(orderId);
      return expired;
    },
  };
  // The reconciler calls only these; the rest of CheckoutWrites is checkout's.
  return { orders: writes as unknown as CheckoutWrites, moves, paymentWindowMs: 30 * 60_000 };
}

/** The orders process's registry now (other tests in this process count too: compare before and after). */
const scrapeNow = async () => parseScrape(await metricsRegistry.metrics());

describe('the reconciler’s metrics', () => {
  it('counts each run by outcome and what it fixed by result', async () => {
    const products = fakeProducts();
    const reconciler = createReconciler({
      ...fakeOrders({ stuck: ['stuck-1'], unpaid: ['unpaid-1', 'unpaid-2'], awaitingRelease: ['cancelled-1', 'cancelled-2'] }),
      products,
      logger: testLogger('orders'),
      stuckAfterMs: 60_000,
    });
    const before = await scrapeNow();
    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 1, expired: 2, released: 5 });
    const after = await scrapeNow();
    const moved = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(after.type('orders_reconciler_runs_total')).toBe('COUNTER');
    expect(moved('orders_reconciler_runs_total', { outcome: 'success' })).toBe(1);
    expect(moved('orders_reconciler_runs_total', { outcome: 'error' })).toBe(0);
    expect(moved('orders_reconciled_total', { result: 'failed' })).toBe(1);
    expect(moved('orders_reconciled_total', { result: 'expired' })).toBe(2);
    expect(moved('orders_reconciled_total', { result: 'released' })).toBe(5);
    expect(moved('orders_reconciled_total', { result: 'confirmed' })).toBe(0);
    // Every result has a series from the start, so a rate over it exists before the first fix.
    expect(after.samples('orders_reconciled_total').map((sample) => sample.labels?.result).sort()).toEqual(['confirmed', 'expired', 'failed', 'released']);
  });

  it('counts a run that failed as a whole as an error, and steps it could not finish as deferred', async () => {
    const products = fakeProducts();
    const failing = createReconciler({ ...fakeOrders({ stuck: [], awaitingRelease: [], failListing: true }), products, logger: testLogger('orders'), stuckAfterMs: 60_000 });
    const deferring = createReconciler({ ...fakeOrders({ stuck: [], awaitingRelease: ['cancelled-1'] }), products, logger: testLogger('orders'), stuckAfterMs: 60_000 });
    const before = await scrapeNow();
    await expect(failing.runOnce()).rejects.toThrow('the database is down');
    products.down = true;
    expect(await deferring.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 0 });
    const after = await scrapeNow();
    expect(after.value('orders_reconciler_runs_total', { outcome: 'error' }) - before.value('orders_reconciler_runs_total', { outcome: 'error' })).toBe(1);
    expect(after.value('orders_reconciler_deferred_total') - before.value('orders_reconciler_deferred_total')).toBe(1);
  });
});
