import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, BadUserInputError, ConflictError, ServiceUnavailableError, type Logger, type Viewer } from '@shop/service-kit';
import type { OrderRow, StoredOrderRow } from './order-rows.js';
import type { CheckoutWrites } from './checkout-writes.js';
import type { ProductsClient, Reservation } from './products-client.js';
import { releaseStockOrDefer } from './stock-release.js';
import { checkOrderRequest, sameItems, totalFits, type OrderRequest } from './order-input.js';

const POLL_MS = 50;

export interface CheckoutOptions {
  orders: CheckoutWrites;
  products: ProductsClient;
  /** How long a repeated call waits for the first attempt with its key to finish. */
  waitForAttemptMs: number;
  /**
   * How many open orders (being placed, or PENDING: waiting for payment, holding stock) one
   * customer may have (MAX_OPEN_ORDERS_PER_CUSTOMER); one more is CONFLICT.
   */
  maxOpenOrders: number;
}

/**
 * Placing an order, the one write that spans two services. The intent is written first (a
 * PLACING row, unique per user and idempotency key), then products reserves all stock in one
 * transaction and returns the prices, then the order is confirmed (PENDING, prices copied). A
 * crash between the steps leaves a PLACING row for the reconciler; a failure gives the stock
 * back before answering. Repeated calls with one key return the one order, even when the
 * customer has as many open orders as they may; a new one past that is CONFLICT.
 */
export function createCheckout({ orders, products, waitForAttemptMs, maxOpenOrders }: CheckoutOptions) {
  /** The existing attempt's outcome for this key, or null when this call must place the order itself. */
  async function awaitExistingAttempt(viewer: Viewer, request: OrderRequest): Promise<OrderRow | null> {
    const deadline = Date.now() + waitForAttemptMs;
    for (;;) {
      const existing = await orders.findOrderByIdempotencyKey(viewer.userId, request.idempotencyKey);
      if (!existing) return null;
      if (!sameItems(existing.items, request.items)) {
        throw new ConflictError('This idempotencyKey was used for an order with other items');
      }
      if (isLive(existing)) return existing;
      if (Date.now() > deadline) throw new ServiceUnavailableError('The first attempt with this idempotencyKey is still being placed; try again shortly');
      await sleep(POLL_MS);
    }
  }

  /**
   * Ends a failed attempt: claims it FAILED and, when products may hold stock for it, gives that
   * back (now, or through the reconciler). If the reconciler confirmed the order meanwhile, the
   * claim loses and that order is the answer after all.
   */
  async function giveUp(orderId: string, error: unknown, owesStock: boolean, logger: Logger): Promise<OrderRow> {
    if (await orders.claimFailed(orderId, owesStock)) {
      if (owesStock) await releaseStockOrDefer(products, orderId, () => orders.markStockReleased(orderId), logger);
      throw error;
    }
    const order = await orders.findStoredOrder(orderId);
    if (order && isLive(order)) return order;
    throw error;
  }

  return {
    async placeOrder(viewer: Viewer, input: OrderRequest, logger: Logger): Promise<OrderRow> {
      const request = checkOrderRequest(input);
      for (;;) {
        const existing = await awaitExistingAttempt(viewer, request);
        if (existing) return existing;
        const intent = await orders.createPlacingOrder(viewer.userId, request.idempotencyKey, request.items, maxOpenOrders);
        if (intent.kind === 'written') return place(intent.orderId, request, logger);
        if (intent.kind === 'full') throw tooManyOpenOrders(intent.openOrders);
        // Another call with this key wrote its intent between our read and our write: wait for it.
      }
    },
  };

  async function place(orderId: string, request: OrderRequest, logger: Logger): Promise<OrderRow> {
    let reservation: Reservation;
    try {
      reservation = await products.reserveStock(orderId, request.items);
    } catch (error) {
      // A verdict (no stock, unknown product, mixed currencies) rolled the reservation back; a
      // timeout or lost answer may hide one that happened.
      const verdict = error instanceof AppError && error.code !== 'SERVICE_UNAVAILABLE';
      return giveUp(orderId, error, !verdict, logger);
    }
    // RELEASED: this attempt was judged dead and released before the reserve arrived.
    if (reservation.status !== 'RESERVED') {
      return giveUp(orderId, new ServiceUnavailableError('Placing the order took too long; try again'), false, logger);
    }
    if (!totalFits(reservation.items)) return giveUp(orderId, new BadUserInputError('The order total is too large', 'items'), true, logger);
    const confirmed = await orders.confirmOrder(orderId, reservation.items);
    if (confirmed) return confirmed;
    // The reconciler got there first: its verdict stands.
    const order = await orders.findStoredOrder(orderId);
    if (!order || !isLive(order)) throw new ServiceUnavailableError('The order could not be confirmed; try again');
    return order;
  }
}

export type Checkout = ReturnType<typeof createCheckout>;

function tooManyOpenOrders(openOrders: number): ConflictError {
  return new ConflictError(
    `You have ${openOrders} open ${openOrders === 1 ? 'order' : 'orders'} waiting for payment, the most one customer may have: pay or cancel one of them to place another`,
  );
}

/** Placed and priced: what clients may see (not PLACING, not FAILED). */
function isLive(order: StoredOrderRow): order is StoredOrderRow & OrderRow {
  return order.status !== 'PLACING' && order.status !== 'FAILED';
}
