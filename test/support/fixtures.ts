import { test as base } from 'vitest';
import type { StackOptions } from './stack.js';
import { startShop } from './shop.js';

/**
 * The test API of the end-to-end suites: `shop` is the running supergraph with the demo customer
 * and admin signed in, started once per file for the tests that use it and stopped after the
 * file's last test. A file that needs the stack configured otherwise says so once, at its top:
 * `test.override('stackOptions', { productsTimeoutMs: 500 })`.
 */
export const test = base
  .extend('stackOptions', { scope: 'file' }, {} as StackOptions)
  .extend('shop', { scope: 'file' }, async ({ stackOptions }, { onCleanup }) => {
    const shop = await startShop(stackOptions);
    onCleanup(() => shop.stack.stop());
    return shop;
  });

export { test as it };
