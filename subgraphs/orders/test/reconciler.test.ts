import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '@shop/service-kit';
import { testLogger } from '../../../test/support/logger.js';
import { createCheckoutWrites, type CheckoutWrites } from '../src/checkout-writes.js';
import { createOrderReads, type OrderReads } from '../src/order-reads.js';
import { MAX_TOTAL_CENTS } from '../src/order-input.js';
import { ENVELOPE_COLUMNS, orderEventEnvelope } from '../src/order-event-envelope.js';
import { createWebhookStore } from '../src/webhook-store.js';
import { createReconciler, type Reconciler } from '../src/reconciler.js';
import { createStatusMoves, type StatusMoves } from '../src/status-moves.js';
import { fakeProducts, type FakeProducts } from './support/fake-products.js';
import { openOrdersDatabase, PGLITE_TIMEOUT, storedState, writtenOrderId } from './support/orders-database.js';

const STUCK_AFTER_MS = 60_000;
const PAYMENT_WINDOW_MS = 30 * 60_000;

describe('reconciler', { timeout: PGLITE_TIMEOUT }, () => {
  let db: Database;
  let products: FakeProducts;
  let writes: CheckoutWrites;
  let reads: OrderReads;
  let moves: StatusMoves;
  let reconciler: Reconciler;
  let teapot: string;

  beforeAll(async () => {
    db = await openOrdersDatabase();
    products = fakeProducts();
    writes = createCheckoutWrites(db);
    reads = createOrderReads(db);
    moves = createStatusMoves(db);
    reconciler = createReconciler({
      orders: writes,
      moves,
      products,
      logger: testLogger('orders'),
      stuckAfterMs: STUCK_AFTER_MS,
      paymentWindowMs: PAYMENT_WINDOW_MS,
    });
  }, PGLITE_TIMEOUT);
  afterAll(() => db?.close());

  // The reconciler sweeps the whole table, so each test starts from an empty one.
  beforeEach(async () => {
    await db.query('DELETE FROM orders');
    products.reset();
    teapot = products.addProduct({ priceCents: 2500, currency: 'EUR', stock: 10 });
  });

  /** A PLACING order whose placing process died `ageMs` ago (a crash between the steps of checkout). */
  async function placingOrder(ageMs = 2 * STUCK_AFTER_MS, quantity = 2): Promise<string> {
    const orderId = writtenOrderId(await writes.createPlacingOrder(randomUUID(), randomUUID(), [{ productId: teapot, quantity }]));
    await db.query("UPDATE orders SET created_at = now() - make_interval(secs => $2::double precision / 1000) WHERE id = $1", [orderId, ageMs]);
    return orderId;
  }

  it('confirms a stuck PLACING order whose stock products holds, at the reserved prices', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 1, failed: 0, expired: 0, released: 0 });
    const [order] = await reads.listOrdersWithItemsByIds([orderId]);
    expect(order).toMatchObject({ status: 'PENDING', total_cents: 5000, currency: 'EUR' });
    expect(order?.items[0]).toMatchObject({ unit_price_cents: 2500, currency: 'EUR' });
    expect(await reads.listItemsByOrderIds([orderId])).toEqual(order?.items);
    expect(products.stockOf(teapot)).toBe(8);
  });

  it('fails a stuck order products never reserved, and releases it so a late reserve takes nothing', async () => {
    const orderId = await placingOrder();

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 1, expired: 0, released: 1 });
    expect(await storedState(db, orderId)).toEqual({ status: 'FAILED', stock_release_pending: false });
    expect(products.calls.release).toEqual([orderId]);
    await expect(products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }])).resolves.toMatchObject({ status: 'RELEASED' });
    expect(products.stockOf(teapot)).toBe(10);
  });

  it('fails a stuck order whose reservation was already released', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);
    await products.releaseStock(orderId);

    expect(await reconciler.runOnce()).toMatchObject({ confirmed: 0, failed: 1 });
    expect((await storedState(db, orderId))?.status).toBe('FAILED');
    expect(products.stockOf(teapot)).toBe(10);
  });

  it('fails and releases a stuck order whose reserved total is larger than the API can carry', async () => {
    const yacht = products.addProduct({ priceCents: MAX_TOTAL_CENTS, currency: 'EUR', stock: 5 });
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: yacht, quantity: 2 }]);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 1, expired: 0, released: 1 });
    expect(products.stockOf(yacht)).toBe(5);
  });

  it('leaves a PLACING order younger than stuckAfterMs to its placing process', async () => {
    const orderId = await placingOrder(0);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 0 });
    expect(products.calls.find).toEqual([]);
    expect((await storedState(db, orderId))?.status).toBe('PLACING');
  });

  it('releases the stock of a cancelled order products could not be told about, once', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);
    await writes.confirmOrder(orderId, [{ productId: teapot, quantity: 2, unitPriceCents: 2500, currency: 'EUR' }]);
    await db.query("UPDATE orders SET status = 'CANCELLED', stock_release_pending = true WHERE id = $1", [orderId]);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 1 });
    expect(products.stockOf(teapot)).toBe(10);
    expect(await storedState(db, orderId)).toEqual({ status: 'CANCELLED', stock_release_pending: false });
    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 0 });
    expect(products.calls.release).toEqual([orderId]);
  });

  it('changes nothing while products is down and finishes the work on a later run', async () => {
    const stuck = await placingOrder();
    await products.reserveStock(stuck, [{ productId: teapot, quantity: 2 }]);
    const cancelled = await placingOrder();
    await writes.claimFailed(cancelled, true);
    products.down = true;

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 0 });
    expect(await storedState(db, stuck)).toEqual({ status: 'PLACING', stock_release_pending: false });
    expect(await storedState(db, cancelled)).toEqual({ status: 'FAILED', stock_release_pending: true });

    products.down = false;
    expect(await reconciler.runOnce()).toEqual({ confirmed: 1, failed: 0, expired: 0, released: 1 });
    expect(await storedState(db, cancelled)).toEqual({ status: 'FAILED', stock_release_pending: false });
  });

  it('keeps going past an order it cannot reconcile now', async () => {
    const first = await placingOrder(3 * STUCK_AFTER_MS);
    const second = await placingOrder();
    await products.reserveStock(second, [{ productId: teapot, quantity: 2 }]);
    const find = products.findReservation.bind(products);
    products.findReservation = async (orderId) => {
      if (orderId === first) throw new Error('connection reset');
      return find(orderId);
    };
    try {
      expect(await reconciler.runOnce()).toMatchObject({ confirmed: 1 });
    } finally {
      products.findReservation = find;
    }
    expect((await storedState(db, first))?.status).toBe('PLACING');
    expect((await storedState(db, second))?.status).toBe('PENDING');
  });

  it('does not undo what checkout decided first: a confirmed order stays confirmed, a failed one failed', async () => {
    const confirmed = await placingOrder();
    await products.reserveStock(confirmed, [{ productId: teapot, quantity: 2 }]);
    await writes.confirmOrder(confirmed, [{ productId: teapot, quantity: 2, unitPriceCents: 2500, currency: 'EUR' }]);
    const failed = await placingOrder();
    await writes.claimFailed(failed, false);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 0 });
    expect((await storedState(db, confirmed))?.status).toBe('PENDING');
    expect((await storedState(db, failed))?.status).toBe('FAILED');
  });

  /** A placed order (its stock reserved, PENDING) left unpaid for `unpaidForMs`. */
  async function unpaidOrder(unpaidForMs: number, quantity = 2): Promise<string> {
    const orderId = await placingOrder(unpaidForMs + STUCK_AFTER_MS, quantity);
    const { items } = await products.reserveStock(orderId, [{ productId: teapot, quantity }]);
    await writes.confirmOrder(orderId, items);
    await db.query('UPDATE orders SET updated_at = now() - make_interval(secs => $2::double precision / 1000) WHERE id = $1', [orderId, unpaidForMs]);
    return orderId;
  }

  /** The order's events as the relay reads them for the stream. */
  async function envelopesOf(orderId: string) {
    const events = await db.query<{ id: string; type: string; schema_version: number; occurred_at: Date; payload: unknown; reason: string | null }>(
      `SELECT e.id, ${ENVELOPE_COLUMNS} FROM order_events e WHERE e.order_id = $1 ORDER BY e.seq`,
      [orderId],
    );
    return events.map(orderEventEnvelope);
  }

  it('cancels an order left unpaid past the payment window, gives its stock back once, and says why in its event', async () => {
    const webhooks = createWebhookStore(db);
    await db.query('DELETE FROM webhooks');
    await webhooks.createWebhook({ url: 'https://merchant.example.com/hook', events: ['order.cancelled'], description: '', secret: 'whsec_test' });
    const expired = await unpaidOrder(PAYMENT_WINDOW_MS + 60_000);
    const stillInTime = await unpaidOrder(PAYMENT_WINDOW_MS - 60_000, 3);
    expect(products.stockOf(teapot)).toBe(5);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 1, released: 1 });
    expect(await storedState(db, expired)).toEqual({ status: 'CANCELLED', stock_release_pending: false });
    expect(await storedState(db, stillInTime)).toEqual({ status: 'PENDING', stock_release_pending: false });
    expect(products.stockOf(teapot)).toBe(7);
    expect((await reads.listStatusHistoryByOrderIds([expired])).map((change) => change.status)).toEqual(['PENDING', 'CANCELLED']);

    const [placed, cancelled, ...more] = await envelopesOf(expired);
    expect(more).toEqual([]);
    expect(placed).toMatchObject({ type: 'order.placed', order: { status: 'PENDING' } });
    expect(placed).not.toHaveProperty('reason');
    expect(cancelled).toMatchObject({ type: 'order.cancelled', schemaVersion: 1, reason: 'PAYMENT_WINDOW_EXPIRED', order: { id: expired, status: 'CANCELLED' } });
    expect(await envelopesOf(stillInTime)).toHaveLength(1);
    // A merchant's webhook gets the same body.
    await webhooks.queueEvents();
    const deliveries = await webhooks.claimDueDeliveries(10, [], 60_000);
    expect(deliveries.map((delivery) => orderEventEnvelope({ ...delivery, id: delivery.event_id }))).toEqual([cancelled]);

    // Nothing twice: the next runs find nothing to expire and nothing owed.
    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 0 });
    expect(products.calls.release).toEqual([expired]);
    expect(products.stockOf(teapot)).toBe(7);
    expect(await envelopesOf(expired)).toHaveLength(2);
  });

  it('expires only unpaid orders: paid, shipped and cancelled ones stay as they are, however old', async () => {
    const paid = await unpaidOrder(10 * PAYMENT_WINDOW_MS);
    await db.query("UPDATE orders SET status = 'PAID' WHERE id = $1", [paid]);
    const cancelled = await unpaidOrder(10 * PAYMENT_WINDOW_MS);
    await db.query("UPDATE orders SET status = 'CANCELLED' WHERE id = $1", [cancelled]);

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 0 });
    expect((await storedState(db, paid))?.status).toBe('PAID');
    expect(products.calls.release).toEqual([]);
  });

  it('expires a bounded batch per run, and the rest on the next runs', async () => {
    const small = createReconciler({ orders: writes, moves, products, logger: testLogger('orders'), stuckAfterMs: STUCK_AFTER_MS, paymentWindowMs: PAYMENT_WINDOW_MS, batchSize: 2 });
    for (let n = 0; n < 3; n++) await unpaidOrder(PAYMENT_WINDOW_MS + (n + 1) * 60_000, 1);

    expect(await small.runOnce()).toMatchObject({ expired: 2, released: 2 });
    expect(await small.runOnce()).toMatchObject({ expired: 1, released: 1 });
    expect(products.stockOf(teapot)).toBe(10);
  });

  it('still cancels while products is down, and gives the stock back once it answers', async () => {
    const orderId = await unpaidOrder(PAYMENT_WINDOW_MS + 60_000);
    products.down = true;

    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 1, released: 0 });
    expect(await storedState(db, orderId)).toEqual({ status: 'CANCELLED', stock_release_pending: true });

    products.down = false;
    expect(await reconciler.runOnce()).toEqual({ confirmed: 0, failed: 0, expired: 0, released: 1 });
    expect(products.stockOf(teapot)).toBe(10);
    expect(await envelopesOf(orderId)).toHaveLength(2);
  });

  it('runs at once when started, and stop waits for the run in progress', async () => {
    const orderId = await placingOrder();
    await products.reserveStock(orderId, [{ productId: teapot, quantity: 2 }]);
    const stop = reconciler.start(60_000);
    await stop();
    expect((await storedState(db, orderId))?.status).toBe('PENDING');
  });
});
