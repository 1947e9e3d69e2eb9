import { ApolloServer } from '@apollo/server';
import { Supergraph } from '@apollo/federation-internals';
import { trace, type Span } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';
import type { GatewayContext } from '../../src/context.js';
import { costMetrics } from '../../src/demand-control/cost-metrics.js';
import { demandControl } from '../../src/demand-control/demand-control.js';
import type { DemandControlMode } from '../../src/demand-control/demand-control-settings.js';
import { operationCosts } from '../../src/demand-control/operation-costs.js';
import { composeSubgraphs } from '../../../scripts/supergraph.js';
import { testLogger } from '../../../test/support/logger.js';

const SHELF = composeSubgraphs([
  {
    name: 'shelf',
    url: 'http://shelf.invalid/graphql',
    sdl: `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
      type Book @key(fields: "id") { id: ID!  title: String }
      type Query {
        books(first: Int = 10): [Book!]! @listSize(slicingArguments: ["first"])
        search(first: Int, last: Int): [Book!]! @listSize(slicingArguments: ["first", "last"]) @cost(weight: 20)
      }
      type Subscription {
        shelved(first: Int = 10): [Book!]! @listSize(slicingArguments: ["first"])
      }`,
  },
]);

/** An Apollo Server on the shelf's API schema, demand control its one plugin; `books` answers `returned` books and counts its calls. */
function shelfServer(mode: DemandControlMode, returned = 2) {
  const supergraph = Supergraph.build(SHELF, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
  const schema = supergraph.apiSchema().toGraphQLJSSchema();
  const costs = operationCosts({ cacheBytes: 1024 * 1024, defaultListSize: 10, supergraphOf: (asked: GraphQLSchema) => (asked === schema ? supergraph.schema : undefined) });
  const resolved = { books: 0 };
  const books = () => {
    resolved.books += 1;
    return Array.from({ length: returned }, (_, index) => ({ id: String(index), title: `Book ${index}` }));
  };
  const server = new ApolloServer<GatewayContext>({ schema, rootValue: { books, search: books }, plugins: [demandControl({ mode, maxCost: 100, defaultListSize: 10 }, costs)] });
  const run = async (query: string, variables?: Record<string, unknown>) => {
    await server.start().catch(() => {});
    const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) }, { contextValue: { requestId: 'r', logger: testLogger('demand-control'), clientAddress: '127.0.0.1' } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, ...response.body.singleResult };
  };
  return { run, resolved, stop: () => server.stop() };
}

const metrics = costMetrics();
const refusals = async (mode: DemandControlMode) => (await metrics.refusals.get()).values.find((value) => value.labels.mode === mode)?.value ?? 0;
const histogramCount = async (histogram: typeof metrics.actual) => (await histogram.get()).values.find((value) => value.metricName?.endsWith('_count') && value.labels.operation_type === 'query')?.value ?? 0;
const histogramSum = async (histogram: typeof metrics.actual) => (await histogram.get()).values.find((value) => value.metricName?.endsWith('_sum') && value.labels.operation_type === 'query')?.value ?? 0;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('demand control at the gateway', () => {
  it('refuses an operation estimated above the maximum with COST_ESTIMATED_TOO_EXPENSIVE and HTTP 400, resolving nothing', async () => {
    const shelf = shelfServer('enforce');
    const before = await refusals('enforce');
    // 101 books at 1 each: one over the maximum of 100.
    const refused = await shelf.run('{ books(first: 101) { id title } }');
    expect(refused.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors?.[0]?.message).toMatch(/estimated cost, 101, is above the maximum of 100/);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: 101, maxCost: 100 });
    expect(shelf.resolved.books).toBe(0);
    expect(await refusals('enforce')).toBe(before + 1);
    // At the maximum it is served.
    expect((await shelf.run('{ books(first: 100) { id } }')).errors).toBeUndefined();
    expect(shelf.resolved.books).toBe(1);
    await shelf.stop();
  });

  it('estimates with each request’s variables, though the document is compiled once', async () => {
    const shelf = shelfServer('enforce');
    const query = 'query Shelf($first: Int!) { books(first: $first) { id } }';
    expect((await shelf.run(query, { first: 5 })).errors).toBeUndefined();
    expect((await shelf.run(query, { first: 500 })).errors?.[0]?.extensions).toMatchObject({ code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: 500 });
    expect((await shelf.run(query, { first: 50 })).errors).toBeUndefined();
    expect(shelf.resolved.books).toBe(2);
    await shelf.stop();
  });

  it('serves the same operation in measure mode, and counts it as over the maximum', async () => {
    const shelf = shelfServer('measure');
    const before = await refusals('measure');
    const served = await shelf.run('{ books(first: 101) { id title } }');
    expect(served.errors).toBeUndefined();
    expect(served.data).toEqual({ books: [{ id: '0', title: 'Book 0' }, { id: '1', title: 'Book 1' }] });
    expect(shelf.resolved.books).toBe(1);
    expect(await refusals('measure')).toBe(before + 1);
    await shelf.stop();
  });

  it('judges a subscription by its subscribe request', async () => {
    const shelf = shelfServer('enforce');
    const refused = await shelf.run('subscription { shelved(first: 500) { id } }');
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: 500, maxCost: 100 });
    await shelf.stop();
  });

  it('answers an operation the estimator cannot cost with BAD_USER_INPUT and its reason', async () => {
    const shelf = shelfServer('enforce');
    const refused = await shelf.run('{ search(first: 1, last: 1) { id } }');
    expect(refused.status).toBe(400);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors?.[0]?.message).toMatch(/Query.search needs exactly one of its slicing arguments \(first, last\), and was given 2/);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(shelf.resolved.books).toBe(0);
    await shelf.stop();
  });

  it('records the estimated and the actual cost, as metrics and on the request span', async () => {
    const attributes = new Map<string, unknown>();
    const span = { setAttribute: (name: string, value: unknown) => attributes.set(name, value) } as unknown as Span;
    vi.spyOn(trace, 'getActiveSpan').mockReturnValue(span);
    const shelf = shelfServer('enforce', 3);
    const counted = { estimated: await histogramCount(metrics.estimated), actual: await histogramCount(metrics.actual), delta: await histogramSum(metrics.delta) };
    expect((await shelf.run('{ books(first: 20) { id } }')).errors).toBeUndefined();
    // Estimated: 20 books at 1; actual: the 3 returned.
    expect(Object.fromEntries(attributes)).toEqual({ 'graphql.operation.cost.estimated': 20, 'graphql.operation.cost.actual': 3 });
    expect(await histogramCount(metrics.estimated)).toBe(counted.estimated + 1);
    expect(await histogramCount(metrics.actual)).toBe(counted.actual + 1);
    expect(await histogramSum(metrics.delta)).toBe(counted.delta + 17);
    await shelf.stop();
  });
});
