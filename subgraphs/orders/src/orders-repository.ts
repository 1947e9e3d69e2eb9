import type { Database } from '@shop/service-kit';
import { createCheckoutWrites } from './checkout-writes.js';
import { createOrderReads } from './order-reads.js';
import { createOrderSeeding } from './order-seeding.js';
import { createStatusMoves } from './status-moves.js';

// products-client.ts takes its item types from here; they live in order-rows.ts.
export type { PricedItem, WantedItem } from './order-rows.js';

/**
 * Every verb of orders' SQL in one object. Nothing in src/ needs the whole (each part takes the
 * repository it uses); it remains for callers outside src/ that build it from a Database
 * (test/batching.e2e.ts writes orders with it; test/support/stack.ts, bench/seed.ts and index.ts
 * hand it to seedDemoOrders, which now takes the Database itself).
 */
export function createOrdersRepository(db: Database) {
  return { ...createOrderReads(db), ...createCheckoutWrites(db), ...createStatusMoves(db), ...createOrderSeeding(db) };
}

export type OrdersRepository = ReturnType<typeof createOrdersRepository>;
