import { fileURLToPath } from 'node:url';
import { migrate, type Database } from '@shop/service-kit';
import type { PlacingIntent } from '../../src/checkout-writes.js';
import { openEmptyPglite } from '../../../../service-kit/test/support/empty-database.js';

/** Opening PGlite and migrating it takes a second or more: once per test file, in beforeAll. */
export const PGLITE_TIMEOUT = 30_000;

/** A fresh in-memory PGlite with orders' migrations applied. */
export async function openOrdersDatabase(): Promise<Database> {
  const db = await openEmptyPglite();
  await migrate(db, fileURLToPath(new URL('../../migrations/', import.meta.url)));
  return db;
}

/** The columns of an order that clients never see, read straight from the table. */
export async function storedState(db: Database, orderId: string): Promise<{ status: string; stock_release_pending: boolean } | undefined> {
  const [row] = await db.query<{ status: string; stock_release_pending: boolean }>(
    'SELECT status, stock_release_pending FROM orders WHERE id = $1',
    [orderId],
  );
  return row;
}

/** The id of an order intent createPlacingOrder wrote; a test that expected it written fails here otherwise. */
export function writtenOrderId(intent: PlacingIntent): string {
  if (intent.kind !== 'written') throw new Error(`the order intent was not written: ${JSON.stringify(intent)}`);
  return intent.orderId;
}
