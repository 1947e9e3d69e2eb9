import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSchema } from 'graphql';
import { parseScrape } from '../../test/support/prometheus.js';
import { UnauthenticatedError } from '../src/errors.js';
import { formatError } from '../src/format-error.js';
import {
  boundedLabel,
  callMetrics,
  defineCounter,
  enableRuntimeMetrics,
  graphqlMetrics,
  UNKNOWN_OPERATION,
  type GraphQLMetricsOptions,
} from '../src/metrics.js';

const schema = buildSchema(`
  type Query { hello: String!  broken: String }
  type Mutation { touch: Boolean! }
`);
const rootValue = {
  hello: () => 'world',
  broken: () => {
    throw new UnauthenticatedError();
  },
  touch: () => true,
};

/** An Apollo Server with only the metrics plugin (and the services' error formatting), measuring into its own registry. */
async function measuredServer(options: Omit<GraphQLMetricsOptions, 'registry'> = {}) {
  const registry = new Registry();
  const server = new ApolloServer({ schema, rootValue, formatError, plugins: [graphqlMetrics({ ...options, registry })] });
  await server.start();
  return {
    server,
    run: (query: string) => server.executeOperation({ query }),
    scrape: async () => parseScrape(await registry.metrics()),
  };
}

describe('boundedLabel', () => {
  it('keeps the first distinct values up to its cap, then gives every new one the shared value', () => {
    const label = boundedLabel(2);
    expect(label('Products')).toBe('Products');
    expect(label('Order')).toBe('Order');
    expect(label('Invented1')).toBe(UNKNOWN_OPERATION);
    expect(label('Invented2')).toBe(UNKNOWN_OPERATION);
    // Names seen before the cap keep counting under themselves.
    expect(label('Products')).toBe('Products');
  });

  it('always keeps the known names, beside the cap, however many others came first', () => {
    const label = boundedLabel(1, ['Products', 'Order']);
    expect(label('Invented1')).toBe('Invented1');
    expect(label('Invented2')).toBe(UNKNOWN_OPERATION);
    expect(label('Products')).toBe('Products');
    expect(label('Order')).toBe('Order');
  });

  it('gives a missing name (an anonymous or unresolved operation) the shared value, without using up the cap', () => {
    const label = boundedLabel(1);
    expect(label(null)).toBe(UNKNOWN_OPERATION);
    expect(label(undefined)).toBe(UNKNOWN_OPERATION);
    expect(label('')).toBe(UNKNOWN_OPERATION);
    expect(label('Products')).toBe('Products');
  });
});

describe('the GraphQL metrics plugin', () => {
  it('counts a named query by its name, type and outcome, and observes its duration', async () => {
    const { server, run, scrape } = await measuredServer();
    await run('query Hello { hello }');
    await run('query Hello { hello }');
    await run('mutation Touch { touch }');
    const metrics = await scrape();
    expect(metrics.type('graphql_requests_total')).toBe('COUNTER');
    expect(metrics.value('graphql_requests_total', { operation: 'Hello', type: 'query', outcome: 'success' })).toBe(2);
    expect(metrics.value('graphql_requests_total', { operation: 'Touch', type: 'mutation', outcome: 'success' })).toBe(1);
    expect(metrics.type('graphql_request_duration_seconds')).toBe('HISTOGRAM');
    expect(metrics.count('graphql_request_duration_seconds', { operation: 'Hello', type: 'query', outcome: 'success' })).toBe(2);
    await server.stop();
  });

  it('counts anonymous operations and documents that do not parse or validate under the one shared name', async () => {
    const { server, run, scrape } = await measuredServer();
    await run('{ hello }');
    await run('query Broken { hello');
    await run('query Invalid { nope }');
    const metrics = await scrape();
    expect(metrics.value('graphql_requests_total', { operation: UNKNOWN_OPERATION, type: 'query', outcome: 'success' })).toBe(1);
    expect(metrics.value('graphql_requests_total', { operation: UNKNOWN_OPERATION, type: 'unknown', outcome: 'error' })).toBe(2);
    expect(metrics.value('graphql_requests_total', { operation: 'Invalid' })).toBe(0);
    // formatError turns Apollo's parse and validation codes into the API's BAD_USER_INPUT.
    expect(metrics.value('graphql_request_errors_total', { operation: UNKNOWN_OPERATION, code: 'BAD_USER_INPUT' })).toBe(2);
    await server.stop();
  });

  it('counts a response with any error as an error, by the code of its first error', async () => {
    const { server, run, scrape } = await measuredServer();
    await run('query Partly { hello broken }');
    const metrics = await scrape();
    expect(metrics.value('graphql_requests_total', { operation: 'Partly', type: 'query', outcome: 'error' })).toBe(1);
    expect(metrics.count('graphql_request_duration_seconds', { operation: 'Partly', outcome: 'error' })).toBe(1);
    expect(metrics.value('graphql_request_errors_total', { operation: 'Partly', code: 'UNAUTHENTICATED' })).toBe(1);
    await server.stop();
  });

  it('counts no more distinct operation names than its cap: later ones share the unknown name', async () => {
    const { server, run, scrape } = await measuredServer({ maxOperationNames: 2 });
    for (const name of ['First', 'Second', 'Third', 'Fourth', 'First']) await run(`query ${name} { hello }`);
    const metrics = await scrape();
    const operations = metrics.samples('graphql_requests_total').map((sample) => sample.labels?.operation);
    expect(new Set(operations)).toEqual(new Set(['First', 'Second', UNKNOWN_OPERATION]));
    expect(metrics.value('graphql_requests_total', { operation: 'First' })).toBe(2);
    expect(metrics.value('graphql_requests_total', { operation: UNKNOWN_OPERATION })).toBe(2);
    await server.stop();
  });

  it('counts a request refused while its context was built (a bad token), with its code and no duration', async () => {
    const { server, scrape } = await measuredServer();
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: { query: 'query Hello { hello }' } },
      context: async () => {
        throw new UnauthenticatedError(undefined, 401);
      },
    });
    expect(response.status).toBe(401);
    const metrics = await scrape();
    expect(metrics.value('graphql_requests_total', { operation: UNKNOWN_OPERATION, type: 'unknown', outcome: 'error' })).toBe(1);
    expect(metrics.value('graphql_request_errors_total', { operation: UNKNOWN_OPERATION, code: 'UNAUTHENTICATED' })).toBe(1);
    expect(metrics.count('graphql_request_duration_seconds')).toBe(0);
    await server.stop();
  });
});

describe('callMetrics', () => {
  it('counts calls by target and outcome and observes each one’s duration', async () => {
    const registry = new Registry();
    const record = callMetrics('subgraph', registry);
    const startedAt = performance.now();
    record('products', 'success', startedAt);
    record('products', 'success', startedAt);
    record('products', 'unavailable', startedAt);
    record('users', 'rejected', startedAt);
    const metrics = parseScrape(await registry.metrics());
    expect(metrics.value('subgraph_calls_total', { subgraph: 'products', outcome: 'success' })).toBe(2);
    expect(metrics.value('subgraph_calls_total', { subgraph: 'products', outcome: 'unavailable' })).toBe(1);
    expect(metrics.value('subgraph_calls_total', { subgraph: 'users', outcome: 'rejected' })).toBe(1);
    expect(metrics.count('subgraph_call_duration_seconds', { subgraph: 'products' })).toBe(3);
  });

  it('names orders’ calls to other services service_calls_total, labelled by callee', async () => {
    const registry = new Registry();
    callMetrics('service', registry)('products', 'error', performance.now());
    const metrics = parseScrape(await registry.metrics());
    expect(metrics.value('service_calls_total', { callee: 'products', outcome: 'error' })).toBe(1);
    expect(metrics.count('service_call_duration_seconds', { callee: 'products', outcome: 'error' })).toBe(1);
  });
});

describe('defineCounter', () => {
  it('returns the metric already registered under its name, so a second client or breaker shares it', () => {
    const registry = new Registry();
    const first = defineCounter({ registry, name: 'things_total', help: 'Things', labelNames: ['kind'] });
    const second = defineCounter({ registry, name: 'things_total', help: 'Things', labelNames: ['kind'] });
    expect(second).toBe(first);
  });
});

describe('enableRuntimeMetrics', () => {
  it("adds Node's runtime metrics (event-loop lag, heap, GC) once, however often it is called", async () => {
    const registry = new Registry();
    enableRuntimeMetrics(registry);
    enableRuntimeMetrics(registry);
    const metrics = parseScrape(await registry.metrics());
    expect(metrics.type('nodejs_eventloop_lag_seconds')).toBe('GAUGE');
    expect(metrics.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(metrics.type('nodejs_gc_duration_seconds')).toBe('HISTOGRAM');
  });
});
