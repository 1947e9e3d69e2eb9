import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler, GraphQL17Alpha9Handler } from '@apollo/client/incremental';
import { DEMO_ORDERS, DEMO_PRODUCTS, DEMO_USERS, metricsRegistry } from '@shop/service-kit';
import { test } from './support/fixtures.js';
import { graphql } from './support/graphql.js';
import { parseScrape } from './support/prometheus.js';
import { deferredAtEntityBoundaries, requestInParts, type DeferFormat } from './support/deferred-parts.js';

const it = test
  // Nothing cached, so every request reaches products behind its proxy; a short deadline for the one cut off.
  .extend('stackOptions', { scope: 'file' }, { entityCacheMegabytes: 0, gatewayTimeoutMs: 2_000, gatewayBreakerResetMs: 1_000 });

const FORMATS: DeferFormat[] = ['deferSpec=20220824', 'incrementalSpec=v0.2', 'sse'];
const [delivered, pending] = DEMO_ORDERS;
const ALICE_ID = DEMO_USERS[1].id;

/** The SDK's operations by name, as it sends them (persisted-documents.json: every fragment they use included). */
const SDK_OPERATIONS = new Map(
  Object.values(JSON.parse(readFileSync(new URL('../sdk/src/__generated__/persisted-documents.json', import.meta.url), 'utf8')) as Record<string, string>).map((text) => [/\b(?:query|mutation|subscription) (\w+)/.exec(text)![1]!, text]),
);

/** Each of the SDK's queries with variables that find data, and who asks. */
const QUERIES: { name: string; as: 'alice' | 'admin'; variables?: Record<string, unknown> }[] = [
  { name: 'Order', as: 'alice', variables: { id: delivered.id } },
  { name: 'OrderPage', as: 'alice', variables: { id: delivered.id } },
  { name: 'Orders', as: 'admin', variables: { first: 5 } },
  { name: 'MyOrders', as: 'alice', variables: { first: 5 } },
  { name: 'Products', as: 'alice', variables: { first: 5 } },
  { name: 'Product', as: 'alice', variables: { id: DEMO_PRODUCTS[0]!.id } },
  { name: 'Me', as: 'alice' },
  { name: 'User', as: 'admin', variables: { id: ALICE_ID } },
  { name: 'Users', as: 'admin', variables: { first: 5 } },
  { name: 'Webhooks', as: 'admin', variables: { first: 5 } },
  { name: 'WebhookDeliveries', as: 'admin', variables: { first: 5 } },
];

const ORDER_PAGE = `query OrderPage($id: ID!) {
  order(id: $id) {
    id status
    ... @defer(label: "products") { items { quantity product { id name stock } } }
    ... @defer(label: "user") { user { id name } }
  }
}`;

describe('@defer through the gateway', () => {
  it("answers every SDK query deferred at each entity boundary in parts that, merged, are its whole answer, in each format", async ({ proxiedShop: shop }) => {
    expect(QUERIES.map((query) => query.name).sort()).toEqual([...SDK_OPERATIONS.keys()].filter((name) => SDK_OPERATIONS.get(name)!.includes(`query ${name}`)).sort());
    const inParts = new Set<string>();
    for (const { name, as, variables } of QUERIES) {
      const text = SDK_OPERATIONS.get(name)!;
      const token = shop[as];
      const whole = await graphql(shop.stack.gatewayUrl, text, { token, variables });
      expect(whole.errors, name).toBeUndefined();
      const deferred = deferredAtEntityBoundaries(text);
      for (const format of FORMATS) {
        const answer = await requestInParts(shop.stack.gatewayUrl, format, deferred, { token, variables });
        expect(answer.merged, `${name} in ${format}`).toEqual({ data: whole.data, errors: [] });
        expect(answer.parts.at(-1)?.hasNext ?? false, `${name} in ${format}`).toBe(false);
        if (answer.parts.length > 1) inParts.add(name);
      }
    }
    // Those with an entity below their root fields, and data there (no webhook exists yet).
    expect([...inParts].sort()).toEqual(['MyOrders', 'Order', 'OrderPage', 'Orders', 'Products', 'Users']);
  });

  it('runs a deferring mutation once: its parts merged are what the same order placed again by its idempotency key answers', async ({ proxiedShop: shop }) => {
    const input = { idempotencyKey: randomUUID(), items: [{ productId: DEMO_PRODUCTS[0]!.id, quantity: 1 }] };
    const text = SDK_OPERATIONS.get('CreateOrder')!;
    const answer = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', deferredAtEntityBoundaries(text), { token: shop.alice, variables: { input } });
    expect(answer.parts.length).toBeGreaterThan(1);
    const replayed = await graphql(shop.stack.gatewayUrl, text, { token: shop.alice, variables: { input } });
    expect(answer.merged).toEqual({ data: replayed.data, errors: [] });
    const mine = await graphql<{ me: { orders: { nodes: { id: string }[] } } }>(shop.stack.gatewayUrl, '{ me { orders(first: 100) { nodes { id } } } }', { token: shop.alice });
    expect(mine.data?.me.orders.nodes.filter((order) => order.id === (replayed.data as { createOrder: { id: string } }).createOrder.id)).toHaveLength(1);
  });

  it('sends the first part without the deferred fields, then each part with its label and path, in each format', async ({ proxiedShop: shop }) => {
    const options = { token: shop.alice, variables: { id: pending.id } };
    const apollo = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', ORDER_PAGE, options);
    expect(apollo.contentType).toBe('multipart/mixed;boundary="graphql";deferSpec=20220824');
    expect(apollo.parts[0]).toEqual({ data: { order: { id: pending.id, status: 'PENDING' } }, hasNext: true });
    const later = apollo.parts.slice(1).flatMap((part) => part.incremental as { label: string; path: unknown[] }[]);
    expect(later.map(({ label, path }) => [label, path]).sort()).toEqual([
      ['products', ['order']],
      ['user', ['order']],
    ]);
    const v02 = await requestInParts(shop.stack.gatewayUrl, 'incrementalSpec=v0.2', ORDER_PAGE, options);
    expect(v02.contentType).toBe('multipart/mixed;boundary="graphql";incrementalSpec=v0.2');
    expect(v02.parts[0]?.pending).toEqual([
      { id: '0', path: ['order'], label: 'products' },
      { id: '1', path: ['order'], label: 'user' },
    ]);
    expect(v02.parts.slice(1).flatMap((part) => part.completed as unknown[])).toHaveLength(2);
    const sse = await requestInParts(shop.stack.gatewayUrl, 'sse', ORDER_PAGE, options);
    expect(sse.contentType).toBe('text/event-stream; charset=utf-8');
    for (const answer of [v02, sse]) expect(answer.merged).toEqual(apollo.merged);
  });

  it('answers whole a client that accepts no parts, and an operation whose @defer is off (if: false)', async ({ proxiedShop: shop }) => {
    const options = { token: shop.alice, variables: { id: pending.id } };
    const json = await graphql(shop.stack.gatewayUrl, ORDER_PAGE, options);
    expect(json.data).toMatchObject({ order: { status: 'PENDING', user: { name: DEMO_USERS[1].name }, items: expect.any(Array) } });
    const switchable = ORDER_PAGE.replace('query OrderPage($id: ID!)', 'query OrderPage($id: ID!, $later: Boolean!)').replaceAll('@defer(label', '@defer(if: $later, label');
    const off = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', switchable, { ...options, variables: { ...options.variables, later: false } });
    expect(off.parts).toEqual([{ data: json.data }]);
    const on = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', switchable, { ...options, variables: { ...options.variables, later: true } });
    expect(on.parts).toHaveLength(3);
    expect(on.merged.data).toEqual(json.data);
  });

  it('counts the deferred parts it sends, and how long after the request each was ready', async ({ proxiedShop: shop }) => {
    const counts = async () => {
      const scraped = parseScrape(await metricsRegistry.metrics());
      return { data: scraped.value('deferred_parts_total', { outcome: 'data' }), ready: scraped.count('deferred_part_ready_seconds') };
    };
    const before = await counts();
    await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', ORDER_PAGE, { token: shop.alice, variables: { id: pending.id } });
    expect(await counts()).toEqual({ data: before.data + 2, ready: before.ready + 2 });
  });

  it("sends a part as soon as its own subgraphs answer: the user's while products is still held, then the products'", async ({ proxiedShop: shop }) => {
    shop.proxy.setMode('hold');
    // products is let go only once the user's part has come: a gateway that held that part back for products would never send it (the held call ends at the 2 s deadline).
    const release = () => {
      shop.proxy.setMode('pass');
      shop.proxy.release();
    };
    let heldWhenUserCame: number | undefined;
    try {
      const { parts } = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', ORDER_PAGE, {
        token: shop.alice,
        variables: { id: pending.id },
        onPart: (part) => {
          if ((part.incremental as { label: string }[] | undefined)?.some((entry) => entry.label === 'user')) {
            heldWhenUserCame = shop.proxy.held();
            release();
          }
        },
      });
      expect(parts.map((part) => (part.incremental as { label: string }[] | undefined)?.map((entry) => entry.label) ?? 'first')).toEqual(['first', ['user'], ['products']]);
      // The products' part has its data: products answered once released, not SERVICE_UNAVAILABLE at the deadline.
      expect(parts[2]?.incremental).toEqual([expect.objectContaining({ data: { items: expect.arrayContaining([expect.objectContaining({ product: expect.objectContaining({ name: expect.any(String) }) })]) } })]);
      expect(heldWhenUserCame).toBeGreaterThan(0);
    } finally {
      release();
    }
  });

  it('puts a subgraph that is down, or one that refuses, in the part that needed it; the data sent before stands', async ({ proxiedShop: shop }) => {
    shop.proxy.setMode('drop');
    try {
      const down = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', ORDER_PAGE, { token: shop.alice, variables: { id: pending.id } });
      expect(down.parts[0]?.data).toEqual({ order: { id: pending.id, status: 'PENDING' } });
      const products = down.parts.slice(1).flatMap((part) => part.incremental as { label: string; data: unknown; errors?: { path: unknown[]; extensions: { code: string } }[] }[]).find((entry) => entry.label === 'products')!;
      expect(products.errors?.map((error) => [error.extensions.code, error.path])).toEqual(pending.items.map((_, index) => ['SERVICE_UNAVAILABLE', ['order', 'items', index, 'product']]));
      expect(down.merged.data).toMatchObject({ order: { user: { name: DEMO_USERS[1].name } } });
    } finally {
      shop.proxy.setMode('pass');
    }
    const refused = await requestInParts(shop.stack.gatewayUrl, 'incrementalSpec=v0.2', '{ products(first: 1) { totalCount } ... @defer { product(id: "not-an-id") { name } } }', {});
    expect(refused.parts[0]).toMatchObject({ data: { products: { totalCount: DEMO_PRODUCTS.length } }, hasNext: true });
    expect(refused.merged.errors.map((error) => [error.extensions?.code, error.path])).toEqual([['BAD_USER_INPUT', ['product']]]);
  });

  it('takes a deferring document by its hash (automatic persisted queries), and answers whole one declared authorization denied a selection of', async ({ proxiedShop: shop }) => {
    const query = '{ products(first: 2) { nodes { id ... @defer { name } } } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const registered = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', query, { extensions: { persistedQuery } });
    const byHash = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', undefined, { extensions: { persistedQuery } });
    expect(byHash.parts.length).toBeGreaterThan(1);
    expect(byHash.merged).toEqual(registered.merged);
    // The response cache keeps only whole answers: the same anonymous document asked for whole is whole.
    const whole = await graphql<{ products: { nodes: { name?: string }[] } }>(shop.stack.gatewayUrl, query);
    expect(whole.data?.products.nodes.every((product) => typeof product.name === 'string')).toBe(true);
    expect({ data: whole.data, errors: [] }).toEqual(registered.merged);
    // order needs a signed-in user, which an anonymous request is not.
    const denied = await requestInParts(shop.stack.gatewayUrl, 'deferSpec=20220824', `{ products(first: 1) { totalCount } ... @defer { order(id: "${pending.id}") { id } } }`, {});
    expect(denied.parts).toEqual([
      { data: { products: { totalCount: DEMO_PRODUCTS.length }, order: null }, errors: [expect.objectContaining({ path: ['order'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })] },
    ]);
  });

  it.for([
    ['Defer20220824Handler', () => new Defer20220824Handler()],
    ['GraphQL17Alpha9Handler (incrementalSpec=v0.2)', () => new GraphQL17Alpha9Handler()],
  ] as const)("is read by Apollo Client 4's %s: the order at once, then the order with its user and products", async ([, handler], { proxiedShop: shop }) => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${shop.stack.gatewayUrl}/graphql`, headers: { authorization: `Bearer ${shop.alice}` } }),
      cache: new InMemoryCache(),
      incrementalHandler: handler(),
    });
    const seen: { dataState: string; data: unknown }[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query: gql(ORDER_PAGE), variables: { id: pending.id } }).subscribe({
        next: (result) => {
          if (result.dataState === 'empty') return;
          seen.push({ dataState: result.dataState, data: result.data });
          if (result.dataState === 'complete') {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    expect(seen[0]).toMatchObject({ dataState: 'streaming', data: { order: { id: pending.id, status: 'PENDING' } } });
    expect((seen[0]!.data as { order: Record<string, unknown> }).order.user).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ dataState: 'complete', data: { order: { user: { name: DEMO_USERS[1].name }, items: expect.arrayContaining([expect.objectContaining({ product: expect.objectContaining({ name: expect.any(String) }) })]) } } });
    client.stop();
  });
});
