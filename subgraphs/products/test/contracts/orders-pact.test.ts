import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPacts } from '../../../../test/support/pact.js';
import { startProducts, type ProductsUnderTest } from './products-provider.js';

/** Opening PGlite, migrating and verifying every interaction: a few seconds, more on a busy machine. */
const TIMEOUT = 60_000;

/**
 * products keeps what orders relies on (contracts/pacts/orders-products.json, written by orders'
 * client tests): each interaction replayed against the real products service, its schema,
 * resolvers and database, with the provider state set up first.
 */
describe('contract: products verifies the pact orders holds with it (provider)', { timeout: TIMEOUT }, () => {
  let products: ProductsUnderTest;
  beforeAll(async () => {
    products = await startProducts();
  }, TIMEOUT);
  afterAll(() => products?.stop());

  it("answers every interaction of orders' pact as orders relies on", async () => {
    const report = await verifyPacts({
      provider: 'products',
      providerBaseUrl: products.url,
      stateHandlers: products.stateHandlers,
      requestFilter: products.requestFilter,
    });
    expect(report).toBeTruthy();
  });
});
