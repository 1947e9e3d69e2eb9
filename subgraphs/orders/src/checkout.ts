import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, BadUserInputError, ConflictError, ServiceUnavailableError, type Logger, type Viewer } from '@shop/service-kit';
import type { OrderRow, OrdersRepository } from './orders-repository.js';
import type { ProductsClient, Reservation } from './products-client.js';
import { releaseStockOrDefer } from './stock-release.js';
import { checkOrderRequest, sameItems, totalFits, type OrderRequest } from './order-input.js';

const POLL_MS = 50;

export interface CheckoutOptions {
  orders: OrdersRepository;
  products: ProductsClient;
  /** How long a repeated call waits for the first attempt with its key to finish. */
  waitForAttemptMs: number;
}

/**
 * Placing an order, the one write that spans two services. The intent is written first (a
 * PLACING row, unique per user and idempotency key), then products reserves all stock in one
 * transaction and returns the prices, then the order is confirmed (PENDING, prices copied). A
 * crash between the steps leaves a PLACING row for the reconciler; a failure gives the stock
 * back before answering. Repeated calls with one key return the one order.
 */
export function createCheckout({ orders, products, waitForAttemptMs }: CheckoutOptions) {
  /** The existing attempt's outcome for this key, or null when this call must place the order itself. */
  async function awaitExistingAttempt(viewer: Viewer, request: OrderRequest): Promise<OrderRow | null> {
    const deadline = Date.now() + waitForAttemptMs;
    for (;;) {
      const existing = await orders.findOrderByIdempotencyKey(viewer.userId, request.idempotencyKey);
      if (!existing) return null;
      if (!sameItems(existing.items, request.items)) {
        throw new ConflictError('This idempotencyKey was used for an order with other items');
      }
      if (existing.status !== 'PLACING') return existing as OrderRow;
      if (Date.now() > deadline) throw new ServiceUnavailableError('The first attempt with this idempotencyKey is still being placed; try again shortly');
      await sleep(POLL_MS);
    }
  }

  /** Gives back whatever a failed attempt may hold, then marks it FAILED (or leaves it to the reconciler). */
  const abandon = (orderId: string, logger: Logger) => releaseStockOrDefer(products, orderId, () => orders.markFailed(orderId), logger);

  return {
    async placeOrder(viewer: Viewer, input: OrderRequest, logger: Logger): Promise<OrderRow> {
      const request = checkOrderRequest(input);
      for (;;) {
        const existing = await awaitExistingAttempt(viewer, request);
        if (existing) return existing;
        const orderId = await orders.createPlacingOrder(viewer.userId, request.idempotencyKey, request.items);
        if (orderId) return place(orderId, request, logger);
        // Another call with this key wrote its intent between our read and our write: wait for it.
      }
    },
  };

  async function place(orderId: string, request: OrderRequest, logger: Logger): Promise<OrderRow> {
    let reservation: Reservation;
    try {
      reservation = await products.reserveStock(orderId, request.items);
    } catch (error) {
      // A verdict (no stock, unknown product) reserved nothing; anything else may have reserved
      // before failing, so the stock is released either way.
      if (error instanceof AppError && error.code !== 'SERVICE_UNAVAILABLE') await orders.markFailed(orderId);
      else await abandon(orderId, logger);
      throw error;
    }
    if (reservation.status !== 'RESERVED') {
      // The reconciler judged this attempt dead and released it first: nothing is held.
      await orders.markFailed(orderId);
      throw new ServiceUnavailableError('Placing the order took too long; try again');
    }
    if (!totalFits(reservation.items)) {
      await abandon(orderId, logger);
      throw new BadUserInputError('The order total is too large', 'items');
    }
    await orders.confirmOrder(orderId, reservation.items);
    const order = await orders.findStoredOrder(orderId);
    if (!order || order.status === 'PLACING' || order.status === 'FAILED') {
      throw new ServiceUnavailableError('The order could not be confirmed; try again');
    }
    return order as OrderRow;
  }
}

export type Checkout = ReturnType<typeof createCheckout>;
