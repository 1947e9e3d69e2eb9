import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { describe, expect, onTestFailed } from 'vitest';
import { MyOrdersDocument, OrderDocument, OrderPageDocument, ProductsDocument } from '@shop/sdk';
import { DEMO_PRODUCTS, DEMO_USERS } from '@shop/service-kit';
import { buildStorefront, serveStorefront, type RunningStorefront } from '../scripts/storefront.js';
import { launchChromium, newVisitor, NO_CHROMIUM_NOTICE, pageReport, screenshotsDir, skipBrowserTests, watchedPage, type WatchedPage } from './support/browser.js';
import { createOrder, createProduct, stockOf } from './support/checkout.js';
import { test } from './support/fixtures.js';
import { ADMIN, ALICE, graphql } from './support/graphql.js';

if (skipBrowserTests) console.log(NO_CHROMIUM_NOTICE);

const [{ name: ADMIN_NAME }, { name: ALICE_NAME }] = DEMO_USERS;
const ESPRESSO_CUP = DEMO_PRODUCTS.find((product) => product.name === 'Espresso cup')!.id;

/**
 * The storefront as it ships (`vite build`, served with its Content-Security-Policy) in Debian's
 * Chromium, against this file's stack. One stack, one build and one browser for every test; each
 * test is a new visitor (a browser context of its own: fresh localStorage).
 */
const it = test
  // What a shopper sees when a service is down and nothing is cached: the gateway's entity cache
  // would show the products it holds (test/entity-cache.e2e.ts).
  .extend('stackOptions', { scope: 'file' }, { entityCacheMegabytes: 0 })
  .extend('storefront', { scope: 'file' }, async ({ stack }, { onCleanup }) => {
    const outDir = await mkdtemp(join(tmpdir(), 'shop-storefront-test-'));
    const running: RunningStorefront[] = [];
    onCleanup(async () => {
      for (const storefront of running) await storefront.close();
      await rm(outDir, { recursive: true, force: true });
    });
    await buildStorefront(outDir);
    running.push(await serveStorefront({ gatewayUrl: `${stack.gatewayUrl}/graphql`, outDir, host: '127.0.0.1', port: 0 }));
    return running[0]!;
  })
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its first parameter's pattern; the browser needs none.
  .extend('browser', { scope: 'file' }, async ({}, { onCleanup }) => {
    const browser = await launchChromium();
    onCleanup(() => browser.close());
    return browser;
  })
  // eslint-disable-next-line no-empty-pattern -- as above: the screenshots' folder needs no other fixture.
  .extend('shots', { scope: 'file' }, async ({}, { onCleanup }) => {
    const fallback = await mkdtemp(join(tmpdir(), 'shop-storefront-shots-'));
    onCleanup(() => rm(fallback, { recursive: true, force: true }));
    const dir = await screenshotsDir(fallback);
    /** Takes the page as the docs show it and checks that a PNG was written. */
    return async (page: Page, name: string) => {
      const path = join(dir, `${name}.png`);
      await page.screenshot({ path, animations: 'disabled' });
      expect((await readFile(path)).subarray(1, 4).toString()).toBe('PNG');
    };
  });

/**
 * A visitor at the storefront, with every console error recorded: each test ends by asserting
 * there were none. Should the test fail, its output says what the page showed then.
 */
async function visit(browser: Browser, url: string): Promise<WatchedPage & { context: BrowserContext; close: () => Promise<void> }> {
  const visitor = await newVisitor(browser);
  onTestFailed(async () => {
    try {
      console.error(`The page when the test failed:\n${await pageReport(visitor.page)}\nits errors: ${JSON.stringify(visitor.errors)}`);
    } finally {
      await visitor.context.close();
    }
  });
  await visitor.page.goto(url);
  return { ...visitor, close: () => visitor.context.close() };
}

/** Signs in through the page's form: from the menu's link unless the page is already the form. */
async function signIn(page: Page, email: string, password: string, name: string, { viaMenu = true } = {}) {
  if (viaMenu && !page.url().includes('#/sign-in')) await page.getByRole('link', { name: 'Sign in', exact: true }).first().click();
  await page.getByLabel('Email').first().fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.locator('.who').textContent()).toBe(name);
}

async function aliceOrderCount(gatewayUrl: string, token: string): Promise<number> {
  const response = await graphql(gatewayUrl, MyOrdersDocument, { token, variables: { first: 1 } });
  return response.data!.me!.orders!.totalCount;
}

describe.skipIf(skipBrowserTests)('storefront in a browser', () => {
  it('browses the catalogue a page at a time and searches it', async ({ storefront, browser, shots, stack }) => {
    const { page, errors, close } = await visit(browser, storefront.url);
    const { data } = await graphql(stack.gatewayUrl, ProductsDocument, { variables: { first: 100 } });
    const names = data!.products.nodes.map((product) => product.name);
    await expect.poll(() => page.locator('.count').textContent()).toBe(`${names.length} products`);
    const shown = () => page.locator('.product-card h2').allTextContents();
    expect(await shown()).toEqual(names.slice(0, 8));
    await shots(page, 'catalogue');

    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(shown).toEqual(names.slice(8, 16));
    await expect.poll(() => page.getByText('Page 2 of 2').count()).toBe(1);

    await page.getByLabel('Search products').fill('beans');
    await page.getByLabel('Search products').press('Enter');
    await expect.poll(shown).toEqual(names.filter((name) => /beans/i.test(name)));
    expect(page.url()).toMatch(/#\/\?search=beans$/);
    await page.getByRole('link', { name: names.find((name) => /beans/i.test(name))! }).click();
    await expect.poll(() => page.locator('.product-page .price').textContent()).toMatch(/€\d/);
    await shots(page, 'product');
    // A mangled link (the shop refuses an id that is not one of its own) is a product not found, as an unknown id is.
    await page.goto(`${storefront.url}#/products/not-a-product`);
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Product not found');
    expect(errors).toEqual([]);
    await close();
  });

  it('signs alice in, orders two products once despite a lost answer, a reload and a double click, sees the order, cancels it and the stock comes back', async ({ storefront, browser, shots, shop: { stack, alice, admin } }) => {
    const teapot = await createProduct(stack.gatewayUrl, admin, { stock: 10, name: 'Storefront teapot', priceCents: 2500 });
    const tray = await createProduct(stack.gatewayUrl, admin, { stock: 10, name: 'Storefront tray', priceCents: 900 });
    const ordersBefore = await aliceOrderCount(stack.gatewayUrl, alice);
    const { page, errors, close } = await visit(browser, storefront.url);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await shots(page, 'sign-in');
    await signIn(page, ALICE.email, ALICE.password, ALICE_NAME);

    await page.goto(`${storefront.url}#/products/${teapot}`);
    await expect.poll(() => page.locator('.product-page .stock').textContent()).toBe('10 in stock');
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.goto(`${storefront.url}#/products/${tray}`);
    await expect.poll(() => page.locator('.product-page h1').textContent()).toBe('Storefront tray');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await menu(page, /^Cart/).click();
    await expect.poll(() => page.locator('.cart tbody th').allTextContents()).toEqual(['Storefront teapot', 'Storefront tray']);
    expect(await page.locator('.cart tfoot .total').textContent()).toBe('€59.00');
    await shots(page, 'cart');

    // The first attempt reaches the server (the order is placed) but its answer is lost on the way back.
    const graphqlUrl = `${stack.gatewayUrl}/graphql`;
    let lost = 0;
    await page.route(graphqlUrl, async (route) => {
      if (lost === 0 && route.request().postData()?.includes('idempotencyKey')) {
        lost += 1;
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.fallback();
    });
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: /\S/ }).textContent()).toMatch(/cannot reach the shop/);
    expect(lost).toBe(1);
    await page.unroute(graphqlUrl);
    // The shopper reloads and, impatient, double-clicks: the same key (kept with the cart) gets the same, one order.
    await page.reload();
    await page.getByRole('button', { name: 'Place order' }).dblclick();
    await page.waitForURL(/#\/orders\/[^?]+\?placed$/);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Thank you' }).count()).toBe(1);
    expect(await aliceOrderCount(stack.gatewayUrl, alice)).toBe(ordersBefore + 1);
    expect(await page.locator('.order-items tbody th').allTextContents()).toEqual(['Storefront teapot', 'Storefront tray']);
    expect(await page.locator('.order-page .status').textContent()).toBe('Pending payment');
    expect(await page.locator('.order-items tfoot .total').textContent()).toBe('€59.00');
    expect([await stockOf(stack.gatewayUrl, teapot), await stockOf(stack.gatewayUrl, tray)]).toEqual([8, 9]);
    await shots(page, 'order');

    await menu(page, 'My orders').click();
    const newest = page.locator('.order-card').first();
    await expect.poll(() => newest.textContent()).toMatch(/Pending payment.*2 × Storefront teapot, 1 × Storefront tray/);
    await shots(page, 'my-orders');

    await newest.getByRole('link').click();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect.poll(() => page.locator('.order-page .status').textContent()).toBe('Cancelled');
    expect(await page.locator('.history li').allTextContents()).toEqual([expect.stringMatching(/Pending payment$/), expect.stringMatching(/Cancelled$/)]);
    await page.goto(`${storefront.url}#/products/${teapot}`);
    await expect.poll(() => page.locator('.product-page .stock').textContent()).toBe('10 in stock');
    expect(await stockOf(stack.gatewayUrl, tray)).toBe(10);

    // The one error is the answer the test cut off.
    expect(errors).toEqual([expect.stringMatching(/ERR_CONNECTION_RESET/)]);
    await close();
  });

  it('names the product that is short when an order asks for more than its stock', async ({ storefront, browser, shots, shop: { stack, alice, admin } }) => {
    const vase = await createProduct(stack.gatewayUrl, admin, { stock: 3, name: 'Storefront vase', priceCents: 4200 });
    const ordersBefore = await aliceOrderCount(stack.gatewayUrl, alice);
    const { page, errors, close } = await visit(browser, `${storefront.url}#/products/${vase}`);
    await expect.poll(() => page.locator('.product-page .stock').textContent()).toBe('Only 3 left');
    // The product page offers no more than the stock; the cart, which may be hours old, does.
    await page.getByLabel('Quantity').fill('3');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: 'Go to cart' }).click();
    await page.getByLabel('Quantity of Storefront vase').fill('5');
    await page.getByLabel('Quantity of Storefront vase').press('Tab');
    await page.getByRole('link', { name: 'Sign in to check out' }).click();
    await signIn(page, ALICE.email, ALICE.password, ALICE_NAME);
    await page.waitForURL(/#\/cart$/);
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: /\S/ }).textContent()).toBe(
      '“Storefront vase” does not have enough stock for your order. Lower its quantity or remove it from your cart.',
    );
    await expect.poll(() => page.locator('tr.short').textContent()).toMatch(/Storefront vase.*Only 3 left/);
    await shots(page, 'cart-short');
    expect(await aliceOrderCount(stack.gatewayUrl, alice)).toBe(ordersBefore);
    expect(errors).toEqual([]);
    await close();
  });

  it('checks out with the keyboard alone, also when animation frames come late', async ({ storefront, browser, shop: { stack, alice } }) => {
    const ordersBefore = await aliceOrderCount(stack.gatewayUrl, alice);
    const { page, errors, close } = await visit(browser, storefront.url);
    // Animation frames late, as on a busy machine (seen in CI): focus moved a frame after a
    // navigation would come after the keys below and take the fields' focus away from them.
    await page.evaluate(HOLD_BACK_ANIMATION_FRAMES);
    await expect.poll(() => page.locator('.product-card').count()).toBeGreaterThan(0);
    const firstProduct = await page.locator('.product-card h2').first().textContent();
    await tabTo(page, 'Sign in');
    await page.keyboard.press('Enter');
    await tabTo(page, 'sign-in-email');
    await page.keyboard.type(ALICE.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ALICE.password);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.who').textContent()).toBe(ALICE_NAME);
    await tabTo(page, `Add ${firstProduct!} to cart`);
    await page.keyboard.press('Enter');
    await tabTo(page, /^Cart/);
    await page.keyboard.press('Enter');
    // The new page's heading has the focus, for a screen reader to announce, from the moment it is there.
    await expect.poll(() => page.locator('main h1').allTextContents()).toEqual(['Your cart']);
    expect(await focusedNames(page)).toContain('Your cart');
    await tabTo(page, 'Place order');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/orders\/[^?]+\?placed$/);
    // The order page fetches the order after the address changes: its lines come a moment later.
    await expect.poll(() => page.locator('.order-items tbody th').allTextContents()).toEqual([firstProduct]);
    expect(await aliceOrderCount(stack.gatewayUrl, alice)).toBe(ordersBefore + 1);
    expect(errors).toEqual([]);
    await close();
  });

  it('lets an admin move an order along', async ({ storefront, browser, shots, shop: { stack, alice } }) => {
    const id = await placeOrder(stack.gatewayUrl, alice);
    const { page, errors, close } = await visit(browser, storefront.url);
    await signIn(page, ADMIN.email, ADMIN.password, ADMIN_NAME);
    await menu(page, 'All orders').click();
    const row = page.locator('tr', { has: page.locator(`a[href="#/orders/${id}"]`) });
    await expect.poll(() => row.locator('.status').textContent()).toBe('Pending payment');
    expect(await row.textContent()).toContain(`${ALICE_NAME} (${ALICE.email})`);
    await row.getByRole('button', { name: /as Paid$/ }).click();
    await expect.poll(() => row.locator('.status').textContent()).toBe('Paid');
    await shots(page, 'admin-orders');
    await row.getByRole('button', { name: /as Shipped$/ }).click();
    await expect.poll(() => row.locator('.status').textContent()).toBe('Shipped');
    // Shipped: no cancelling any more, only delivering.
    expect(await row.getByRole('button').allTextContents()).toEqual(['Mark delivered']);
    const { data } = await graphql(stack.gatewayUrl, OrderDocument, { token: alice, variables: { id } });
    expect(data!.order!.statusHistory.map((entry) => entry.status)).toEqual(['PENDING', 'PAID', 'SHIPPED']);
    expect(errors).toEqual([]);
    await close();
  });

  it("updates alice's order page and her orders live as the admin moves the order along in another browser", async ({ storefront, browser, shop: { stack, alice } }) => {
    const id = await placeOrder(stack.gatewayUrl, alice);
    const shopper = await visit(browser, storefront.url);
    await signIn(shopper.page, ALICE.email, ALICE.password, ALICE_NAME);
    // Her order in one tab, her orders in another; each page's stream (GraphQL over SSE) open before the admin acts.
    const orderPage = shopper.page;
    const ordersPage = await watchedPage(shopper.context, shopper.errors);
    const streams = new Map<Page, Request[]>();
    // The order page also reads the order in parts over SSE (OrderPage, with @defer): not a subscription.
    const orderPageHash = String(OrderPageDocument.__meta__?.hash);
    const isSubscription = (request: Request) => (request.headers()['accept']?.includes('text/event-stream') ?? false) && !request.postData()?.includes(orderPageHash);
    for (const page of [orderPage, ordersPage]) {
      streams.set(page, []);
      page.on('request', (request) => {
        if (isSubscription(request)) streams.get(page)!.push(request);
      });
    }
    const opened = (page: Page) => page.waitForResponse((response) => isSubscription(response.request()));
    const orderOpened = opened(orderPage);
    await orderPage.goto(`${storefront.url}#/orders/${id}`);
    await expect.poll(() => orderPage.locator('.order-page .status').textContent()).toBe('Pending payment');
    expect((await orderOpened).status()).toBe(200);
    const ordersOpened = opened(ordersPage);
    await ordersPage.goto(`${storefront.url}#/orders`);
    const row = ordersPage.locator('.order-card', { has: ordersPage.locator(`a[href="#/orders/${id}"]`) });
    await expect.poll(() => row.locator('.status').textContent()).toBe('Pending payment');
    expect((await ordersOpened).status()).toBe(200);
    expect(await orderPage.locator('.order-page .live').textContent()).toBe('Live');
    // Marks what a reload would wipe: the pages must change in place.
    for (const page of [orderPage, ordersPage]) await page.evaluate('window.notReloaded = true');

    const admin = await visit(browser, storefront.url);
    await signIn(admin.page, ADMIN.email, ADMIN.password, ADMIN_NAME);
    await menu(admin.page, 'All orders').click();
    const adminRow = admin.page.locator('tr', { has: admin.page.locator(`a[href="#/orders/${id}"]`) });
    await adminRow.getByRole('button', { name: /as Paid$/ }).click();
    await expect.poll(() => orderPage.locator('.order-page .status').textContent(), { timeout: 5_000 }).toBe('Paid');
    await expect.poll(() => row.locator('.status').textContent(), { timeout: 5_000 }).toBe('Paid');
    await adminRow.getByRole('button', { name: /as Shipped$/ }).click();
    await expect.poll(() => orderPage.locator('.order-page .status').textContent(), { timeout: 5_000 }).toBe('Shipped');
    await expect.poll(() => row.locator('.status').textContent(), { timeout: 5_000 }).toBe('Shipped');
    expect(await orderPage.locator('.history li').allTextContents()).toEqual([expect.stringMatching(/Pending payment$/), expect.stringMatching(/Paid$/), expect.stringMatching(/Shipped$/)]);
    // Shipped: no cancelling any more, and no error shown for the stream.
    expect(await orderPage.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    expect(await orderPage.getByRole('alert').filter({ hasText: /\S/ }).count()).toBe(0);
    for (const page of [orderPage, ordersPage]) expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(streams.get(orderPage)).toHaveLength(1);

    // Leaving the page closes its stream.
    const [stream] = streams.get(orderPage)!;
    let ended = false;
    // The SDK aborts the stream's request: Chromium reports it failed (net::ERR_ABORTED).
    const end = (request: Request) => {
      if (request === stream) ended = true;
    };
    orderPage.on('requestfinished', end);
    orderPage.on('requestfailed', end);
    await orderPage.waitForTimeout(300);
    expect(ended).toBe(false);
    await menu(orderPage, 'Catalogue').click();
    await expect.poll(() => ended, { timeout: 5_000 }).toBe(true);
    expect(shopper.errors).toEqual([]);
    expect(admin.errors).toEqual([]);
    await admin.close();
    await shopper.close();
  });

  it('registers a new customer, and says so when the email is taken', async ({ storefront, browser }) => {
    const { page, errors, close } = await visit(browser, `${storefront.url}#/sign-in`);
    const register = async (name: string, email: string) => {
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Email').last().fill(email);
      await page.getByLabel('Password (at least 8 characters)').fill('a-new-password');
      await page.getByRole('button', { name: 'Create account' }).click();
    };
    await register('Bea Browser', `bea-${Date.now()}@example.com`);
    await expect.poll(() => page.locator('.who').textContent()).toBe('Bea Browser');
    expect(await menu(page, 'My orders').count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${storefront.url}#/sign-in`);
    await register('Alice Again', ALICE.email);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: /\S/ }).textContent()).toBe('An account with this email already exists. Sign in instead?');
    expect(errors).toEqual([]);
    await close();
  });

  it('shares the session and the cart between tabs, and signing out in one signs out both', async ({ storefront, browser }) => {
    const { page, context, errors, close } = await visit(browser, storefront.url);
    await signIn(page, ALICE.email, ALICE.password, ALICE_NAME);
    const other = await watchedPage(context, errors);
    await other.goto(storefront.url);
    await expect.poll(() => other.locator('.who').textContent()).toBe(ALICE_NAME);
    await page.getByRole('button', { name: /^Add .* to cart$/ }).first().click();
    await expect.poll(() => menu(other, /^Cart/).textContent()).toBe('Cart1');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => menu(other, 'My orders').count()).toBe(0);
    await expect.poll(() => other.getByRole('link', { name: 'Sign in', exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  // Last: it stops products (started again at its end, whatever happens).
  it('shows an order with a notice while products is down', async ({ storefront, browser, shots, shop: { stack, alice } }) => {
    const id = await placeOrder(stack.gatewayUrl, alice);
    const { page, errors, close } = await visit(browser, `${storefront.url}#/orders/${id}`);
    await page.getByRole('link', { name: 'Sign in', exact: true }).last().click();
    await signIn(page, ALICE.email, ALICE.password, ALICE_NAME, { viaMenu: false });
    await page.waitForURL(new RegExp(`#/orders/${id}$`));
    await expect.poll(() => page.locator('.order-items tbody th').allTextContents()).toEqual(['Espresso cup']);
    await stack.stopSubgraph('products');
    try {
      await page.reload();
      await expect.poll(() => page.getByRole('status').filter({ hasText: /\S/ }).textContent()).toBe('Product details are unavailable right now. Please try again in a minute.');
      expect(await page.locator('.order-items tbody th').allTextContents()).toEqual(['Product details unavailable']);
      expect(await page.locator('.order-page .status').textContent()).toBe('Pending payment');
      expect(await page.locator('.order-items tfoot .total').textContent()).toBe('€12.00');
      await shots(page, 'order-products-down');
      await menu(page, 'My orders').click();
      await expect.poll(() => page.locator('.order-card').first().textContent()).toMatch(/Pending payment.*1 × product details unavailable/);
      expect(await page.getByRole('status').filter({ hasText: /\S/ }).textContent()).toMatch(/Product details are unavailable/);
    } finally {
      await stack.startSubgraph('products');
    }
    expect(errors).toEqual([]);
    await close();
  });
});

describe('storefront and gateway', () => {
  it('lets a cross-origin page read Retry-After, for telling a rate-limited shopper when to try again', async ({ storefront, stack }) => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { origin: new URL(storefront.url).origin, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(new URL(storefront.url).origin);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
  });
});

/**
 * Runs the page's requestAnimationFrame callbacks 300 ms late (cancelAnimationFrame still cancels
 * them), as a busy machine may. Text for page.evaluate: the project's types know Node, not the DOM.
 */
const HOLD_BACK_ANIMATION_FRAMES = `{
  const frame = requestAnimationFrame, cancelFrame = cancelAnimationFrame, held = new Map();
  let last = 0;
  requestAnimationFrame = (callback) => {
    const id = ++last;
    held.set(id, { timer: setTimeout(() => { held.get(id).frame = frame((time) => { held.delete(id); callback(time); }); }, 300) });
    return id;
  };
  cancelAnimationFrame = (id) => {
    const entry = held.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    if (entry.frame !== undefined) cancelFrame(entry.frame);
    held.delete(id);
  };
}`;

/** A link of the site's main menu. */
const menu = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

/** Presses Tab until the focused element is `target` (its accessible label, id or text), as a keyboard user moves. */
async function tabTo(page: Page, target: string | RegExp): Promise<void> {
  const matches = (value: string) => (typeof target === 'string' ? value === target : target.test(value));
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press('Tab');
    if ((await focusedNames(page)).some((name) => matches(name))) return;
  }
  throw new Error(`60 presses of Tab never reached ${String(target)}`);
}

/**
 * The focused element's accessible label, id and text. Read at once, in the page: read a call at a
 * time, the element could lose focus in between (a re-render), and the next call would wait for a
 * focused element no key press brings.
 */
function focusedNames(page: Page): Promise<string[]> {
  return page
    .locator('*:focus')
    .evaluateAll((elements: FocusedElement[]) => elements.flatMap((element) => [element.getAttribute('aria-label'), element.id, element.textContent?.trim()]))
    .then((names) => names.filter((name): name is string => name != null && name !== ''));
}

/** What focusedNames reads of an element (the project's types know Node, not the DOM). */
interface FocusedElement {
  getAttribute(name: string): string | null;
  id: string;
  textContent: string | null;
}

/** Alice's order of one Espresso cup, placed through the API. */
async function placeOrder(gatewayUrl: string, token: string): Promise<string> {
  const response = await createOrder(gatewayUrl, token, [{ productId: ESPRESSO_CUP, quantity: 1 }]);
  if (!response.data) throw new Error(`createOrder failed: ${JSON.stringify(response.errors)}`);
  return response.data.createOrder.id;
}
