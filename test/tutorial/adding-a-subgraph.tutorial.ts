import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/processes.js';
import { ROOT } from '../../scripts/root.js';
import { copyRepository, type RepositoryCopy } from './repository-copy.js';
import { readerEnv, run, startShell, type Shell } from './shell.js';
import { readTutorial, replaceLine, type TutorialStep } from './tutorial-page.js';

const PAGE = resolve(ROOT, 'docs/extend/adding-a-subgraph.md');
const COMMAND_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_MS = 5 * 60_000;

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

let copy: RepositoryCopy | undefined;
let shop: Shell | undefined;

afterAll(async () => {
  await shop?.stop();
  await copy?.remove();
});

describe('the tutorial "Add a subgraph: reviews of products by customers"', () => {
  it('runs as written: a fourth subgraph, composed, started, and queried across through the gateway', async () => {
    const steps = await readTutorial(PAGE);
    const queries = steps.filter((step): step is Extract<TutorialStep, { kind: 'query' }> => step.kind === 'query');
    expect(steps.filter((step) => step.kind === 'start')).toHaveLength(1);
    expect(queries).toHaveLength(4);
    expect(existsSync(resolve(ROOT, 'subgraphs/reviews')), 'the real repository already has subgraphs/reviews').toBe(false);

    copy = await copyRepository(ROOT);
    const cwd = copy.root;
    const ports = { PORT: 0, USERS_PORT: 0, PRODUCTS_PORT: 0, ORDERS_PORT: 0, REVIEWS_PORT: 0, STOREFRONT_PORT: 0 };
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    const env = readerEnv({ APOLLO_TELEMETRY_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'none' });
    const shopEnv = {
      ...env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      // What `npm start` is for; two runs at once must not share the default metrics ports.
      NODE_ENV: 'development',
      METRICS_PORT: '0',
      LOG_FORMAT: 'json',
    };

    for (const step of steps) {
      if (step.kind === 'run') {
        for (const command of step.commands) await run(command, { cwd, env, timeoutMs: COMMAND_TIMEOUT_MS });
      } else if (step.kind === 'file') {
        await mkdir(dirname(join(cwd, step.path)), { recursive: true });
        await writeFile(join(cwd, step.path), step.content);
      } else if (step.kind === 'replace-line') {
        await writeFile(join(cwd, step.path), replaceLine(await readFile(join(cwd, step.path), 'utf8'), step.line));
      } else if (step.kind === 'start') {
        shop = startShell(step.command, { cwd, env: shopEnv });
        await waitForShop(shop);
      }
    }
    expect(shop, 'the page starts the shop').toBeDefined();
    // The scaffold wrote into the copy only.
    expect(existsSync(resolve(ROOT, 'subgraphs/reviews'))).toBe(false);

    const gateway = `http://127.0.0.1:${ports.PORT}/graphql`;
    const ask = async (document: string, variables: Record<string, unknown> = {}, token?: string): Promise<Record<string, unknown>> => {
      const response = await fetch(gateway, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: document, variables }),
        signal: AbortSignal.timeout(30_000),
      });
      const answer = (await response.json()) as GraphQLAnswer;
      expect(answer.errors, document).toBeUndefined();
      return answer.data!;
    };
    const [productsQuery, login, addReview, productWithReviews] = queries.map((query) => query.document) as [string, string, string, string];

    const products = (await ask(productsQuery)) as { products: { edges: { node: { id: string; name: string } }[] } };
    const product = products.products.edges[0]!.node;
    const { login: session } = (await ask(login)) as { login: { token: string } };
    const added = (await ask(addReview, { productId: product.id }, session.token)) as { addReview: { id: string; rating: number } };
    expect(added.addReview.rating).toBe(5);

    expect(await ask(productWithReviews, { productId: product.id }, session.token)).toEqual({
      product: { name: product.name, reviews: [{ rating: 5, body: 'Exactly as described.', author: { name: 'Alice Customer' } }] },
    });
  });
});

/** Resolves once `npm start` says the shop is up; fails with its output if it exits or takes too long. */
async function waitForShop(shell: Shell): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void shell.exited.then(() => (exited = true));
  while (!shell.output().includes('The shop supergraph is up')) {
    if (exited) throw new Error(`npm start exited before the shop was up:\n${shell.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start: the shop was not up after ${START_TIMEOUT_MS / 1000} s:\n${shell.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
