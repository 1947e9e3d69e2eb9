import { DEMO_PRODUCTS, openDatabase, type Database } from '@shop/service-kit';
import { stockLedger } from '../scripts/stock-ledger.js';
import type { DataLocation, SubgraphName } from './seed.js';

/**
 * The books after the createOrder load, read from the databases once the services have stopped
 * (PGlite has one writer): for every product stock + reserved = its initial stock and reserved =
 * units in live orders; every key answered with an order has exactly one order, and no order
 * exists for a key that was not sent. Returns the problems found (empty when the books hold).
 */
export async function checkConsistency(
  locations: Record<SubgraphName, DataLocation>,
  initialStock: Map<string, number>,
  placedKeys: Set<string>,
  keyPrefix: string,
): Promise<string[]> {
  const open = (location: DataLocation) => openDatabase('url' in location ? { url: location.url } : { url: undefined, dataDir: location.dataDir });
  const products = await open(locations.products);
  const orders = await open(locations.orders);
  try {
    const problems: string[] = [];
    for (const [id, ledger] of await stockLedger({ products, orders })) {
      const initial = initialStock.get(id);
      if (initial === undefined) problems.push(`product ${id}: not one the bench knows`);
      else if (ledger.stock + ledger.reserved !== initial) problems.push(`product ${id}: stock ${ledger.stock} + reserved ${ledger.reserved} ≠ initial ${initial}`);
      if (ledger.reserved !== ledger.ordered) problems.push(`product ${id}: reserved ${ledger.reserved} ≠ ordered ${ledger.ordered}`);
    }
    problems.push(...(await orderPerKey(orders, placedKeys, keyPrefix)));
    return problems;
  } finally {
    await products.close();
    await orders.close();
  }
}

async function orderPerKey(orders: Database, placedKeys: Set<string>, keyPrefix: string): Promise<string[]> {
  const rows = await orders.query<{ idempotency_key: string; orders: number }>(
    `SELECT idempotency_key, count(*)::int AS orders FROM orders
     WHERE idempotency_key LIKE $1 AND status <> 'FAILED' GROUP BY idempotency_key`,
    [`${keyPrefix}%`],
  );
  const problems = rows.filter((row) => row.orders !== 1).map((row) => `key ${row.idempotency_key}: ${row.orders} orders`);
  const found = new Set(rows.map((row) => row.idempotency_key));
  const missing = [...placedKeys].filter((key) => !found.has(key));
  if (missing.length) problems.push(`${missing.length} keys answered with an order have none, e.g. ${missing[0]}`);
  // A key sent but unanswered (the run ended mid-request) may still have placed its order: only
  // more orders than keys sent would be wrong, and the unique index rules that out per key.
  return problems;
}

/** The demo catalogue's stock as seeded (before the demo orders reserved theirs). */
export function demoInitialStock(): Map<string, number> {
  return new Map(DEMO_PRODUCTS.map((product) => [product.id, product.stock]));
}
