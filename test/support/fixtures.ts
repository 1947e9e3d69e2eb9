import { test as base } from 'vitest';
import { ADMIN, ALICE, login } from './graphql.js';
import { startShopWithProductsProxy } from './shop.js';
import { startStack, type StackOptions } from './stack.js';

/**
 * The test API of the end-to-end suites. Every fixture is file-scoped: started for the first test
 * of a file that asks for it, shared by that file's tests, stopped after its last one; no two files
 * share a stack, so each starts from fresh demo data.
 *
 * - `stack`: the running supergraph, configured by `stackOptions`.
 * - `alice`, `admin`: tokens of the demo customer and admin, each signed in once per file.
 * - `shop`: `{ stack, alice, admin }`, the usual starting point.
 * - `secondStack`: a second supergraph of its own, configured by `secondStackOptions`, for the
 *   files that compare two configurations (one describe each): vitest keeps one value of a
 *   file-scoped fixture per file, and refuses to override one inside a describe.
 * - `proxiedShop`: the shop with the gateway's route to products through a proxy
 *   (startShopWithProductsProxy), configured by `stackOptions`; a stack of its own, so a file
 *   uses it instead of `stack` and `shop`.
 *
 * A file that needs the stack configured otherwise makes its own test API, once, at its top:
 * `const it = test.extend('stackOptions', { scope: 'file' }, { productsTimeoutMs: 500 })`, and uses
 * only that one. Not `test.override`: end-to-end files share a module graph per worker (isolate:
 * false), so an override of this shared `test` would reach every file the worker runs after it.
 */
export const test = base
  .extend('stackOptions', { scope: 'file' }, {} as StackOptions)
  .extend('stack', { scope: 'file' }, async ({ stackOptions }, { onCleanup }) => {
    const stack = await startStack(stackOptions);
    onCleanup(() => stack.stop());
    return stack;
  })
  .extend('alice', { scope: 'file' }, async ({ stack }) => login(stack.gatewayUrl, ALICE.email, ALICE.password))
  .extend('admin', { scope: 'file' }, async ({ stack }) => login(stack.gatewayUrl, ADMIN.email, ADMIN.password))
  .extend('shop', { scope: 'file' }, ({ stack, alice, admin }) => ({ stack, alice, admin }))
  .extend('secondStackOptions', { scope: 'file' }, {} as StackOptions)
  .extend('secondStack', { scope: 'file' }, async ({ secondStackOptions }, { onCleanup }) => {
    const stack = await startStack(secondStackOptions);
    onCleanup(() => stack.stop());
    return stack;
  })
  .extend('proxiedShop', { scope: 'file' }, async ({ stackOptions }, { onCleanup }) => {
    const shop = await startShopWithProductsProxy(stackOptions);
    onCleanup(() => shop.stop());
    return shop;
  });

export { test as it };
