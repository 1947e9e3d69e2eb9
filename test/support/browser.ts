import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { ROOT } from '../../scripts/root.js';

/**
 * Debian's Chromium (`apt-get install chromium`; .ci/run installs it), driven by playwright-core,
 * which downloads no browser. CHROMIUM_PATH names another binary.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumInstalled = existsSync(CHROMIUM_PATH);
/** Skipped only outside CI: .ci/run installs Chromium, so there a missing one fails the tests rather than passing without them. */
export const skipBrowserTests = !chromiumInstalled && process.env.CI !== 'true';
export const NO_CHROMIUM_NOTICE = `Storefront browser tests skipped: no Chromium at ${CHROMIUM_PATH} (install it with \`apt-get install chromium\`, or set CHROMIUM_PATH).`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Headless, and nothing beyond loopback: without the background-networking flags Chromium
    // reaches out for updates, field trials and the like.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface WatchedPage {
  page: Page;
  /** Every console error and uncaught exception of the page so far (CSP violations included). */
  errors: string[];
}

/**
 * How long one Playwright wait of a browser test (for an element to click or read, for an address) may take.
 * Well within the end-to-end tests' 60 s: a step that hangs fails naming itself and what it waited
 * for, rather than the whole test timing out with no word of where.
 */
const STEP_TIMEOUT_MS = 15_000;

/** The requests each watched page has sent and not yet had answered, for `pageReport`. */
const requestsInFlight = new WeakMap<Page, Set<Request>>();

/** A page of a fresh browser context (its own localStorage: a new visitor) whose errors are recorded. */
export async function newVisitor(browser: Browser): Promise<WatchedPage & { context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 720 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const errors: string[] = [];
  return { context, page: await watchedPage(context, errors), errors };
}

/** Another page (tab) of `context`, its errors recorded into `errors`. */
export async function watchedPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  const inFlight = new Set<Request>();
  requestsInFlight.set(page, inFlight);
  page.on('request', (request) => inFlight.add(request));
  page.on('requestfinished', (request) => inFlight.delete(request));
  page.on('requestfailed', (request) => inFlight.delete(request));
  return page;
}

/**
 * What `page` shows now, for a failed test's output: its address, the focused element, the
 * requests still unanswered and the accessibility tree of its main content.
 */
export async function pageReport(page: Page): Promise<string> {
  // Bounded, and never failing: a crashed or hung page still gets its report (of what could be read).
  const snapshot = (selector: string) =>
    page
      .locator(selector)
      .first()
      .ariaSnapshot({ timeout: 2_000 })
      .catch((error: unknown) => `nothing within 2 s (${String(error).split('\n')[0]})`);
  const requests = [...(requestsInFlight.get(page) ?? [])].map((request) => `${request.method()} ${request.url()}`);
  return [
    `address: ${page.url()}`,
    `focused: ${await snapshot('*:focus')}`,
    `requests unanswered: ${requests.length > 0 ? requests.join(', ') : 'none'}`,
    `main:\n${await snapshot('main')}`,
  ].join('\n');
}

/**
 * Where the screenshots go: docs/storefront/ (the storefront page's pictures in the docs) when SCREENSHOTS=update
 * (`npm run docs:storefront`), else a folder of the run's own, so that `npm test` leaves the
 * working tree as it was (each run's orders have new dates).
 */
export async function screenshotsDir(fallback: string): Promise<string> {
  const dir = process.env.SCREENSHOTS === 'update' ? join(ROOT, 'docs/storefront') : fallback;
  await mkdir(dir, { recursive: true });
  return dir;
}
