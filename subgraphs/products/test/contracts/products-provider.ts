import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { VerifierOptions } from '@pact-foundation/pact';
import { migrate, SERVICE_CREDENTIAL_HEADER, type Database, type RunnableService } from '@shop/service-kit';
import { openEmptyPglite } from '../../../../service-kit/test/support/empty-database.js';
import { testLogger } from '../../../../test/support/logger.js';
import { productsService } from '../../src/service.js';
import { createReservationsRepository } from '../../src/reservations-repository.js';
import { createStockKeeper } from '../../src/stock-keeper.js';

/** The stand-in credential orders' pact carries; the verification swaps in the real one. */
const PACT_CREDENTIAL = 'the-service-credential';

/** products as it runs, on a fresh migrated database, listening on a free loopback port. */
export interface ProductsUnderTest {
  url: string;
  db: Database;
  /** Every state the pact names, setting up exactly the rows its interaction needs. */
  stateHandlers: NonNullable<VerifierOptions['stateHandlers']>;
  /** Puts the service credential where the pact has its stand-in; a wrong credential stays wrong. */
  requestFilter: NonNullable<VerifierOptions['requestFilter']>;
  stop(): Promise<void>;
}

/** Makes the products service under test from its database and service credential. */
export type ProductsFactory = (db: Database, serviceCredential: string) => Promise<RunnableService>;

/** The real products service, made from its definition and an environment, as its index.ts makes it. */
export const realProducts: ProductsFactory = async (db, serviceCredential) =>
  productsService.create(
    db,
    await productsService.loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      SERVICE_CREDENTIAL: serviceCredential,
      // The internal operations take no user token, so products never asks users for its keys.
      USERS_URL: 'http://127.0.0.1:1',
    }),
    testLogger('products'),
  );

/**
 * Starts products on an empty PGlite database with its migrations applied and no demo data: each
 * provider state writes what its interaction needs and nothing else is there.
 */
export async function startProducts(create: ProductsFactory = realProducts): Promise<ProductsUnderTest> {
  const db = await openEmptyPglite();
  try {
    await migrate(db, fileURLToPath(productsService.migrations));
    // A fresh credential per run: the pact holds none, and a stand-in must not pass as one.
    const credential = randomBytes(16).toString('hex');
    const service = await create(db, credential);
    const url = await service.listen(0, '127.0.0.1');
    const keeper = createStockKeeper(db, createReservationsRepository());

    const reset = () => db.exec('TRUNCATE stock_reservation_items, stock_reservations, products');
    const addProduct = (id: string, stock: number) =>
      db.query(`INSERT INTO products (id, name, description, price_cents, currency, stock) VALUES ($1, 'Teapot', 'For the contract', 1250, 'EUR', $2)`, [id, stock]);
    const productWithStock = async (params: unknown) => {
      const { productId, stock } = paramsOf(params, { productId: 'string', stock: 'number' });
      await reset();
      await addProduct(productId, stock);
    };

    return {
      url,
      db,
      stateHandlers: {
        'product P has stock 5': productWithStock,
        'product P has stock 1': productWithStock,
        'product P does not exist': async () => {
          await reset();
        },
        'order O holds 2 units of product P': async (params) => {
          const { orderId, productId, quantity } = paramsOf(params, { orderId: 'string', productId: 'string', quantity: 'number' });
          await reset();
          await addProduct(productId, 5);
          await keeper.reserve(orderId, [{ productId, quantity }]);
        },
        'no stock was ever reserved for order O': async () => {
          await reset();
        },
      },
      requestFilter: (req, _res, next) => {
        if (req.headers[SERVICE_CREDENTIAL_HEADER] === PACT_CREDENTIAL) req.headers[SERVICE_CREDENTIAL_HEADER] = credential;
        next();
      },
      async stop() {
        await service.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

type Kinds = Record<string, 'string' | 'number'>;
type Params<K extends Kinds> = { [Name in keyof K]: K[Name] extends 'string' ? string : number };

/** A provider state's parameters as the pact gives them, checked: a pact naming others is a broken pact. */
export function paramsOf<K extends Kinds>(params: unknown, kinds: K): Params<K> {
  const given = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  for (const [name, kind] of Object.entries(kinds)) {
    if (typeof given[name] !== kind) throw new Error(`provider state parameter ${name} must be a ${kind}; the pact gives ${JSON.stringify(given[name])}`);
  }
  return given as Params<K>;
}
