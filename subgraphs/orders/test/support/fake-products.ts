import { randomUUID } from 'node:crypto';
import { BadUserInputError, InsufficientStockError, NotFoundError, ServiceUnavailableError } from '@shop/service-kit';
import type { WantedItem } from '../../src/order-rows.js';
import type { ProductsClient, Reservation } from '../../src/products-client.js';

export interface FakeProduct {
  priceCents: number;
  currency: string;
  stock: number;
}

/**
 * Orders' view of the products service without the service: the rules of products' stock keeper
 * (all or nothing, one currency, idempotent per order, a release before the reserve leaves a
 * RELEASED record) over an in-memory catalogue, with switches for the failures a remote call has.
 */
export function fakeProducts() {
  const catalogue = new Map<string, FakeProduct>();
  const reservations = new Map<string, Reservation>();
  const calls = { reserve: [] as string[], release: [] as string[], find: [] as string[] };
  const fake = {
    catalogue,
    reservations,
    calls,
    /** Every call fails as the real client fails when products is down, slow or its breaker is open. */
    down: false,
    /** The next reserve happens in products, but its answer never reaches orders. */
    loseNextReserveAnswer: false,
    /** Runs before a reserve is handled: to let something else happen while orders waits. */
    beforeReserve: undefined as ((orderId: string) => Promise<void>) | undefined,

    addProduct(product: FakeProduct): string {
      const id = randomUUID();
      catalogue.set(id, { ...product });
      return id;
    },

    stockOf: (productId: string): number => catalogue.get(productId)!.stock,

    reset(): void {
      calls.reserve.length = calls.release.length = calls.find.length = 0;
      fake.down = fake.loseNextReserveAnswer = false;
      fake.beforeReserve = undefined;
    },

    async reserveStock(orderId: string, items: readonly WantedItem[]): Promise<Reservation> {
      calls.reserve.push(orderId);
      await fake.beforeReserve?.(orderId);
      unlessDown();
      const reservation = reservations.get(orderId) ?? reserve(orderId, items);
      if (fake.loseNextReserveAnswer) {
        fake.loseNextReserveAnswer = false;
        throw new ServiceUnavailableError('The products service is unavailable; try again shortly');
      }
      return clone(reservation);
    },

    async releaseStock(orderId: string): Promise<Reservation> {
      calls.release.push(orderId);
      unlessDown();
      const held = reservations.get(orderId);
      if (held?.status === 'RESERVED') {
        for (const item of held.items) catalogue.get(item.productId)!.stock += item.quantity;
        held.status = 'RELEASED';
      }
      if (!held) reservations.set(orderId, { status: 'RELEASED', items: [] });
      return clone(reservations.get(orderId)!);
    },

    async findReservation(orderId: string): Promise<Reservation | null> {
      calls.find.push(orderId);
      unlessDown();
      const found = reservations.get(orderId);
      return found ? clone(found) : null;
    },

    breakerState: () => 'closed' as const,
    close: () => {},
  };

  function unlessDown(): void {
    if (fake.down) throw new ServiceUnavailableError('The products service is unavailable; try again shortly');
  }

  function reserve(orderId: string, items: readonly WantedItem[]): Reservation {
    const products = items.map((item) => {
      const product = catalogue.get(item.productId);
      if (!product) throw new NotFoundError(`No product ${item.productId}`, { productId: item.productId });
      return { item, product };
    });
    if (new Set(products.map(({ product }) => product.currency)).size > 1) {
      throw new BadUserInputError('All items of an order must be priced in one currency', 'items');
    }
    const short = products.find(({ item, product }) => product.stock < item.quantity);
    if (short) throw new InsufficientStockError(short.item.productId);
    for (const { item, product } of products) product.stock -= item.quantity;
    const reservation: Reservation = {
      status: 'RESERVED',
      items: products.map(({ item, product }) => ({
        productId: item.productId,
        quantity: item.quantity,
        unitPriceCents: product.priceCents,
        currency: product.currency,
      })),
    };
    reservations.set(orderId, reservation);
    return reservation;
  }

  return fake satisfies ProductsClient;
}

export type FakeProducts = ReturnType<typeof fakeProducts>;

function clone(reservation: Reservation): Reservation {
  return { status: reservation.status, items: reservation.items.map((item) => ({ ...item })) };
}
