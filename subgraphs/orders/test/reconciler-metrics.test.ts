import { describe, expect, it } from 'vitest';
import { metricsRegistry } from '@shop/service-kit';
import { parseScrape } from '../../../test/support/prometheus.js';
import { testLogger } from '../../../test/support/logger.js';
import type { CheckoutWrites } from '../src/checkout-writes.js';
import { createReconciler } from '../src/reconciler.js';
import { fakeProducts } from './support/fake-products.js';

/** Orders' writes as the reconciler sees them, in memory: one stuck order and `awaitingRelease` orders owing stock. */
function fakeWrites(options: { stuck: string[]; awaitingRelease: string[]; failListing?: boolean }) {
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
  // The reconciler calls only these; the rest of CheckoutWrites is checkout's.
  return writes as unknown as CheckoutWrites;
}

/** The orders process's registry now (other tests in this process count too: compare before and after). */
const scrapeNow = async () => parseScrape(await metricsRegistry.metrics());

describe('the reconciler’s metrics', () => {
  it('counts each run by outcome and what it fixed by result', async () => {
    const products = fakeProducts();
    const reconciler = createReconciler({
      orders: fakeWrites({ stuck: ['stuck-1'], awaitingRelease: ['cancelled-1', 'cancelled-2'] }),
      products,
      logger: testLogger('orders'),
      stuckAfterMs: 60_000,
    });
    const before = await scrapeNow();
    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 1, released: 3 });
    const after = await scrapeNow();
    const moved = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(after.type('orders_reconciler_runs_total')).toBe('COUNTER');
    expect(moved('orders_reconciler_runs_total', { outcome: 'success' })).toBe(1);
    expect(moved('orders_reconciler_runs_total', { outcome: 'error' })).toBe(0);
    expect(moved('orders_reconciled_total', { result: 'failed' })).toBe(1);
    expect(moved('orders_reconciled_total', { result: 'released' })).toBe(3);
    expect(moved('orders_reconciled_total', { result: 'confirmed' })).toBe(0);
    // Every result has a series from the start, so a rate over it exists before the first fix.
    expect(after.samples('orders_reconciled_total').map((sample) => sample.labels?.result).sort()).toEqual(['confirmed', 'failed', 'released']);
  });

  it('counts a run that failed as a whole as an error, and steps it could not finish as deferred', async () => {
    const products = fakeProducts();
    const failing = createReconciler({ orders: fakeWrites({ stuck: [], awaitingRelease: [], failListing: true }), products, logger: testLogger('orders'), stuckAfterMs: 60_000 });
    const deferring = createReconciler({ orders: fakeWrites({ stuck: [], awaitingRelease: ['cancelled-1'] }), products, logger: testLogger('orders'), stuckAfterMs: 60_000 });
    const before = await scrapeNow();
    await expect(failing.runOnce()).rejects.toThrow('the database is down');
    products.down = true;
    expect(await deferring.runOnce()).toEqual({ confirmed: 0, failed: 0, released: 0 });
    const after = await scrapeNow();
    expect(after.value('orders_reconciler_runs_total', { outcome: 'error' }) - before.value('orders_reconciler_runs_total', { outcome: 'error' })).toBe(1);
    expect(after.value('orders_reconciler_deferred_total') - before.value('orders_reconciler_deferred_total')).toBe(1);
  });
});
