import { describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { buildSchema, GraphQLError } from 'graphql';
import type { GatewayContext } from '../src/context.js';
import { testLogger } from '../../test/support/logger.js';
import { registeredValue } from '../../test/support/prometheus.js';
import { createEntityCache, entityCacheInvalidation, entityFetchOf, type FetchedEntities } from '../src/entity-cache.js';
import { ENTITY_QUERY_IDS_BYTES } from '../src/memory-budget.js';

const QUERY = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}';
const product = (id: string) => ({ __typename: 'Product', id });
const named = (id: string) => ({ name: `name of ${id}` });

/** A fetch that answers each representation with its name, under `cacheControl`, and counts what it was asked. */
function subgraph(cacheControl: string | undefined, options: { errorAt?: number; pathless?: boolean } = {}) {
  const asked: string[][] = [];
  const fetch = async (representations: Record<string, unknown>[]): Promise<FetchedEntities> => {
    asked.push(representations.map((representation) => String(representation.id)));
    const errors = options.pathless
      ? [{ message: 'broken' }]
      : options.errorAt === undefined
        ? undefined
        : [{ message: 'broken', path: ['_entities', options.errorAt, 'name'] }];
    return {
      answer: { data: { _entities: representations.map((representation, index) => (index === options.errorAt ? null : named(String(representation.id)))) }, ...(errors ? { errors } : {}) },
      cacheControl,
    };
  };
  return { fetch, asked };
}

const serve = (cache: ReturnType<typeof createEntityCache>, ids: string[], fetch: ReturnType<typeof subgraph>['fetch'], fresh = false) => {
  const restricted: string[] = [];
  return cache
    .serve('products', { query: QUERY, representations: ids.map(product) }, { fresh, restrict: (header) => restricted.push(header) }, fetch)
    .then((answer) => ({ answer, restricted }));
};

describe('the entity cache', () => {
  it('recognises the gateway’s entity fetches only', () => {
    expect(entityFetchOf({ query: QUERY, variables: { representations: [product('a')] } })).toBeDefined();
    expect(entityFetchOf({ query: '{ product(id: "a") { name } }', variables: {} })).toBeUndefined();
    expect(entityFetchOf({ query: QUERY, variables: {} })).toBeUndefined();
  });

  it('keeps a public answer for its max-age and serves it without asking again, narrowing the client’s policy', async () => {
    const cache = createEntityCache(1);
    const products = subgraph('max-age=60, public');
    await serve(cache, ['a', 'b'], products.fetch);
    const { answer, restricted } = await serve(cache, ['b', 'a'], products.fetch);
    expect(products.asked).toEqual([['a', 'b']]);
    expect(answer).toEqual({ data: { _entities: [named('b'), named('a')] } });
    expect(restricted).toEqual([expect.stringMatching(/^max-age=(59|60), public$/)]);
  });

  it('never keeps a private or uncacheable answer', async () => {
    for (const header of ['max-age=60, private', 'max-age=0, public', 'no-store', undefined]) {
      const cache = createEntityCache(1);
      const users = subgraph(header);
      await serve(cache, ['a'], users.fetch);
      await serve(cache, ['a'], users.fetch);
      expect(users.asked, String(header)).toEqual([['a'], ['a']]);
      expect(cache.size).toBe(0);
    }
  });

  it('asks for the missing entities only, and puts the answer and its errors back in the client’s order', async () => {
    const cache = createEntityCache(1);
    await serve(cache, ['b'], subgraph('max-age=60, public').fetch);
    const failing = subgraph('max-age=60, public', { errorAt: 1 });
    const { answer } = await serve(cache, ['a', 'b', 'c'], failing.fetch);
    expect(failing.asked).toEqual([['a', 'c']]);
    expect(answer.data).toEqual({ _entities: [named('a'), named('b'), null] });
    expect(answer.errors).toEqual([{ message: 'broken', path: ['_entities', 2, 'name'] }]);
    // The entity in error was not kept; the good one was.
    const again = subgraph('max-age=60, public');
    await serve(cache, ['a', 'c'], again.fetch);
    expect(again.asked).toEqual([['c']]);
  });

  it('keeps nothing of an answer with an error on no one entity', async () => {
    const cache = createEntityCache(1);
    await serve(cache, ['a', 'b'], subgraph('max-age=60, public', { pathless: true }).fetch);
    expect(cache.size).toBe(0);
  });

  it('asks for all when the client wants a fresh answer, and keeps what it gets', async () => {
    const cache = createEntityCache(1);
    const products = subgraph('max-age=60, public');
    await serve(cache, ['a'], products.fetch);
    await serve(cache, ['a'], products.fetch, true);
    await serve(cache, ['a'], products.fetch);
    expect(products.asked).toEqual([['a'], ['a']]);
  });

  it('hands each request its own copy: what the gateway writes into one answer never reaches the next', async () => {
    const cache = createEntityCache(1);
    const products = subgraph('max-age=60, public');
    await serve(cache, ['a'], products.fetch);
    const first = await serve(cache, ['a'], products.fetch);
    const [entity] = (first.answer.data as { _entities: Record<string, unknown>[] })._entities;
    entity!.name = 'written by one request';
    entity!.privateNote = 'merged in by a later fetch of that request';
    const second = await serve(cache, ['a'], products.fetch);
    expect(second.answer.data).toEqual({ _entities: [named('a')] });
  });

  it('does not keep what a fetch brought when the entity was dropped while it ran', async () => {
    const cache = createEntityCache(1);
    let release!: () => void;
    const slow = async (representations: Record<string, unknown>[]): Promise<FetchedEntities> => {
      await new Promise<void>((resolve) => (release = resolve));
      return { answer: { data: { _entities: representations.map((representation) => named(String(representation.id))) } }, cacheControl: 'max-age=60, public' };
    };
    const serving = serve(cache, ['a'], slow);
    await new Promise((resolve) => setImmediate(resolve));
    cache.drop('Product', 'a');
    release();
    await serving;
    expect(cache.size).toBe(0);
  });

  it('keeps nothing when the subgraph answers with another number of entities than asked', async () => {
    const cache = createEntityCache(1);
    const short = async (): Promise<FetchedEntities> => ({ answer: { data: { _entities: [named('a')] } }, cacheControl: 'max-age=60, public' });
    await serve(cache, ['a', 'b'], short);
    expect(cache.size).toBe(0);
  });

  it('drops one entity on demand', async () => {
    const cache = createEntityCache(1);
    const products = subgraph('max-age=60, public');
    await serve(cache, ['a', 'b'], products.fetch);
    expect(cache.drop('Product', 'a')).toBe(1);
    expect(cache.drop('Product', 'zz')).toBe(0);
    // However the id was written (a number in the mutation, a string in the representation).
    await serve(cache, ['7'], products.fetch);
    expect(cache.drop('Product', 7)).toBe(1);
    await serve(cache, ['a', 'b'], products.fetch);
    expect(products.asked).toEqual([['a', 'b'], ['7'], ['a']]);
  });

  it('stays within its memory, evicting the least recently used, and counts the evictions', async () => {
    const evictions = () => registeredValue('gateway_entity_cache_evictions_total');
    const before = await evictions();
    const cache = createEntityCache(2 / 1024);
    const products = subgraph('max-age=60, public');
    await serve(cache, Array.from({ length: 100 }, (_, index) => `product-${index}`), products.fetch);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(100);
    expect((await evictions()) - before).toBe(100 - cache.size);
  });
});

describe('the entity cache’s query ids', () => {
  it('keeps the ids of query texts within ENTITY_QUERY_IDS_BYTES, however many distinct texts arrive', async () => {
    const cache = createEntityCache(1);
    const products = subgraph('max-age=60, public');
    for (let index = 0; index < 300; index += 1) {
      const query = `${QUERY.replace('{name}', `{name ${'description '.repeat(500)}}`)} # ${index}`;
      await cache.serve('products', { query, representations: [product('a')] }, { fresh: false, restrict: () => {} }, products.fetch);
      expect(cache.queryIds.bytes).toBeLessThanOrEqual(ENTITY_QUERY_IDS_BYTES);
    }
    expect(cache.queryIds.count).toBeGreaterThan(0);
    expect(cache.queryIds.count).toBeLessThan(300);
    // The same text keeps its id: a second read of it is a hit.
    await serve(cache, ['b'], products.fetch);
    await serve(cache, ['b'], products.fetch);
    expect(products.asked.filter((ids) => ids[0] === 'b')).toHaveLength(1);
  });
});

describe('the entity cache’s drops', () => {
  it('remembers a bounded number of drops in bounded memory, however many distinct ids are dropped', () => {
    const cache = createEntityCache(1);
    for (let index = 0; index < 12_000; index += 1) cache.drop('Product', String(index));
    expect(cache.dropsRemembered.count).toBe(10_000);
    for (let index = 0; index < 500; index += 1) cache.drop('Product', `${index}-${'x'.repeat(8192)}`);
    expect(cache.dropsRemembered.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(cache.dropsRemembered.count).toBeLessThan(200);
  });
});

describe('entityCacheInvalidation', () => {
  const schema = buildSchema(`
    type Product { id: ID!  name: String }
    type Query { product(id: ID!): Product }
    type Mutation { updateProduct(id: ID!): Product  deleteProduct(id: ID!): Boolean  renameProduct(id: ID!): Product!  restockProduct(id: ID!): Product }
  `);
  /** updateProduct succeeds for "a" and "b" only (else FORBIDDEN, as for an anonymous client); deleteProduct answers null for unknown ids. */
  const rootValue = {
    updateProduct: ({ id }: { id: string }) => {
      if (id !== 'a' && id !== 'b') throw new GraphQLError('Not allowed', { extensions: { code: 'FORBIDDEN' } });
      return { id, name: 'renamed' };
    },
    deleteProduct: () => null,
    renameProduct: () => {
      throw new GraphQLError('Not allowed', { extensions: { code: 'FORBIDDEN' } });
    },
    // Written, but one field of what it answers cannot be read (another subgraph down, say).
    restockProduct: ({ id }: { id: string }) => ({
      id,
      name: () => {
        throw new GraphQLError('Unavailable', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      },
    }),
  };

  async function withCachedProducts(ids: string[]) {
    const cache = createEntityCache(1);
    const products = subgraph('max-age=60, public');
    await serve(cache, ids, products.fetch);
    const server = new ApolloServer<GatewayContext>({ schema, rootValue, plugins: [entityCacheInvalidation(cache)] });
    await server.start();
    const run = (query: string, variables?: Record<string, unknown>) =>
      server.executeOperation({ query, ...(variables ? { variables } : {}) }, { contextValue: { requestId: 'r', logger: testLogger('gateway'), clientAddress: '203.0.113.1' } });
    /** The ids the next read of `ids` had to fetch: the dropped ones. */
    const refetched = async () => {
      products.asked.length = 0;
      await serve(cache, ids, products.fetch);
      return products.asked.flat();
    };
    return { run, refetched, stop: () => server.stop() };
  }

  it('drops the entity of a mutation field that succeeded, aliased or through a fragment', async () => {
    const { run, refetched, stop } = await withCachedProducts(['a', 'b', 'c']);
    await run('mutation ($id: ID!) { renamed: updateProduct(id: $id) { id } ...F } fragment F on Mutation { updateProduct(id: "b") { name } }', { id: 'a' });
    expect(await refetched()).toEqual(['a', 'b']);
    await stop();
  });

  it('drops nothing for a field that failed or answered null, whatever the rest of the operation did', async () => {
    const { run, refetched, stop } = await withCachedProducts(['a', 'c', 'd']);
    await run('mutation { updateProduct(id: "c") { id } }');
    await run('mutation { deleteProduct(id: "d") }');
    await run('mutation { ok: updateProduct(id: "a") { id } refused: updateProduct(id: "d") { id } }');
    await run('mutation { renameProduct(id: "c") { id } }');
    expect(await refetched()).toEqual(['a']);
    await stop();
  });

  it('drops the entity of a write that succeeded although a field of its answer failed', async () => {
    const { run, refetched, stop } = await withCachedProducts(['a', 'c']);
    const answer = await run('mutation { restockProduct(id: "c") { id name } }');
    expect(answer.body.kind === 'single' && answer.body.singleResult.errors?.[0]?.path).toEqual(['restockProduct', 'name']);
    expect(await refetched()).toEqual(['c']);
    await stop();
  });

  it('drops a cached entity whose UUID the mutation wrote in capitals', async () => {
    const id = '0b6c3f4e-2a7d-4f6e-9c1a-5d8e7f6a4b3c';
    const { run, refetched, stop } = await withCachedProducts([id, 'c']);
    await run('mutation ($id: ID!) { restockProduct(id: $id) { id } }', { id: id.toUpperCase() });
    expect(await refetched()).toEqual([id]);
    await stop();
  });
});
