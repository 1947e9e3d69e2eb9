import { BadUserInputError, InsufficientStockError, isUuid, NotFoundError, type Database } from '@shop/service-kit';
import type { ReservationRow, ReservationsRepository, StockItem, StockRow } from './reservations-repository.js';

/**
 * The only writer of stock for orders. Reserving takes every item's quantity in one transaction
 * (all or nothing) and records the prices of that moment; releasing gives it back. Both are
 * idempotent per order id: the first call decides, later ones return its result. A release that
 * comes first leaves a RELEASED record, so a late reserve for that order takes nothing.
 */
export function createStockKeeper(db: Database, reservations: ReservationsRepository) {
  return {
    find: (orderId: string) => reservations.findReservation(db, orderId),

    async reserve(orderId: string, items: readonly StockItem[]): Promise<ReservationRow> {
      checkReservationRequest(orderId, items);
      return db.transaction(async (tx) => {
        if (!(await reservations.createReservation(tx, orderId, 'RESERVED'))) {
          return (await reservations.findReservation(tx, orderId))!;
        }
        const products = await reservations.lockProducts(tx, items.map((item) => item.productId));
        const priced = priceItems(items, new Map(products.map((product) => [product.id, product])));
        const taken = new Set(await reservations.takeStock(tx, items));
        const short = items.find((item) => !taken.has(item.productId));
        if (short) throw new InsufficientStockError(short.productId);
        await reservations.createReservationItems(tx, orderId, priced);
        return { order_id: orderId, status: 'RESERVED' as const, items: priced };
      });
    },

    async release(orderId: string): Promise<ReservationRow> {
      if (!isUuid(orderId)) throw new BadUserInputError('orderId must be an order id', 'orderId');
      return db.transaction(async (tx) => {
        const tombstone = await reservations.createReservation(tx, orderId, 'RELEASED');
        if (!tombstone && (await reservations.markReleased(tx, orderId))) await reservations.restoreStock(tx, orderId);
        return (await reservations.findReservation(tx, orderId))!;
      });
    },
  };
}

export type StockKeeper = ReturnType<typeof createStockKeeper>;

function checkReservationRequest(orderId: string, items: readonly StockItem[]): void {
  if (!isUuid(orderId)) throw new BadUserInputError('orderId must be an order id', 'orderId');
  if (items.length === 0) throw new BadUserInputError('Reserve at least one item', 'items');
  if (new Set(items.map((item) => item.productId)).size !== items.length) {
    throw new BadUserInputError('Each product may appear once', 'items');
  }
  const bad = items.findIndex((item) => !Number.isInteger(item.quantity) || item.quantity < 1);
  if (bad >= 0) throw new BadUserInputError('quantity must be 1 or more', `items.${bad}.quantity`);
}

/**
 * Every product must exist, all in one currency; the first item that fails names the error.
 * Stock is not judged here: the guarded update alone decides, under the row locks.
 */
function priceItems(items: readonly StockItem[], products: Map<string, StockRow>) {
  const priced = items.map((item) => {
    const product = products.get(item.productId);
    if (!product) throw new NotFoundError(`No product ${item.productId}`, { productId: item.productId });
    return { product, item };
  });
  if (new Set(priced.map(({ product }) => product.currency)).size > 1) {
    throw new BadUserInputError('All items of an order must be priced in one currency', 'items');
  }
  return priced.map(({ product, item }) => ({
    product_id: item.productId,
    quantity: item.quantity,
    unit_price_cents: product.price_cents,
    currency: product.currency,
  }));
}
