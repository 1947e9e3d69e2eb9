import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersTokenVerifier } from '@shop/service-kit';
import { testLogger } from '../../../../test/support/logger.js';
import { verifyPacts } from '../../../../test/support/pact.js';
import type { createProductsService } from '../../src/server.js';
import { startProducts, type ProductsFactory, type ProductsUnderTest } from './products-provider.js';

const TIMEOUT = 60_000;
const PRODUCTS_DIR = fileURLToPath(new URL('../../', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url));

/** Replaces `from` by `to` in a file of the copy, and fails loudly if products no longer has `from` (the test would prove nothing). */
async function rename(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`${file} has no ${String(from)} to rename: update this test to products' schema`);
  await writeFile(file, changed);
}

/**
 * The check checked: a developer renames a field of products' `reserveStock` answer (unitPrice ->
 * price, in the schema and the resolver, as a rename is done), in a temporary copy of products.
 * Verifying orders' committed pact against that copy must fail, and say which interactions broke.
 */
describe("contract: products' verification catches a broken promise", { timeout: TIMEOUT }, () => {
  let copy: string;
  let products: ProductsUnderTest;
  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'products-renamed-'));
    await cp(join(PRODUCTS_DIR, 'schema.graphql'), join(copy, 'schema.graphql'));
    await cp(join(PRODUCTS_DIR, 'src'), join(copy, 'src'), { recursive: true });
    // The copy imports the packages products imports; outside the repository it finds them here.
    await symlink(join(REPOSITORY, 'node_modules'), join(copy, 'node_modules'), 'dir');
    await rename(join(copy, 'schema.graphql'), /(type ReservedItem [^{]*\{[^}]*?)\bunitPrice: Money!/, '$1price: Money!');
    await rename(join(copy, 'src/resolvers/StockReservation.ts'), /\bunitPrice: \(item\)/, 'price: (item)');

    const server = (await import(pathToFileURL(join(copy, 'src/server.ts')).href)) as { createProductsService: typeof createProductsService };
    const renamed: ProductsFactory = async (db, serviceCredential) =>
      server.createProductsService({
        db,
        logger: testLogger('products'),
        // The internal operations take no user token, so products never asks users for its keys.
        verifyToken: usersTokenVerifier({ USERS_URL: 'http://127.0.0.1:1', JWT_ISSUER: 'shop-users', JWT_AUDIENCE: 'shop' }),
        serviceCredential,
        sandbox: false,
      });
    products = await startProducts(renamed);
  }, TIMEOUT);
  afterAll(async () => {
    await products?.stop();
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it("fails products' verification, naming the interactions that read the renamed field", async () => {
    const verification = verifyPacts({
      provider: 'products',
      providerBaseUrl: products.url,
      stateHandlers: products.stateHandlers,
      requestFilter: products.requestFilter,
    });
    const failure = await verification.then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(failure, 'the verification passed against a products whose reserveStock answer lost unitPrice').toBeDefined();
    // The message is Pact's JSON report: each interaction by its description, with what differed.
    const report = JSON.parse(failure!) as { interactionResults: { description: string; result: string }[] };
    const failed = report.interactionResults.filter((interaction) => interaction.result !== 'Ok').map((interaction) => interaction.description);
    expect(failed).toContain('a stock reservation for an order');
    // products' own words for the break, however many times Pact escaped their quotes.
    expect(failure).toMatch(/Cannot query field \W*unitPrice\W* on type \W*ReservedItem/);
  });
});
