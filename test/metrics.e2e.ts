import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, ProductsDocument } from '@shop/sdk';
import { SUBGRAPH_NAMES, type ServiceName } from '@shop/service-kit/definitions';
import { freePort } from '../scripts/processes.js';
import { ALICE, errorCodes, graphql } from './support/graphql.js';
import { createOrder } from './support/checkout.js';
import { startProcessStack, type ProcessStack } from './support/process-stack.js';
import { scrape, type Scrape } from './support/prometheus.js';

const SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const satisfies readonly ServiceName[];

/** Every service's scrape at one moment. */
type Scrapes = Record<ServiceName, Scrape>;

describe('metrics', () => {
  let stack: ProcessStack;
  const metricsPorts = {} as Record<ServiceName, number>;
  const metricsUrl = (name: ServiceName) => `http://127.0.0.1:${metricsPorts[name]}/metrics`;
  const publicUrl = (name: ServiceName) => (name === 'gateway' ? stack.gatewayUrl : stack.urls[name]);
  const scrapeAll = async (): Promise<Scrapes> =>
    Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, await scrape(metricsUrl(name))] as const))) as Scrapes;

  // One stack of real processes for the whole file: what only a process shows is its own /metrics.
  beforeAll(async () => {
    for (const name of SERVICES) metricsPorts[name] = await freePort();
    stack = await startProcessStack((name) => ({ METRICS_PORT: String(metricsPorts[name]) }));
  }, 180_000);
  afterAll(() => stack?.stop());

  it('serves each service’s metrics on its METRICS_PORT, every series labelled with the service, and never on its public port', async () => {
    const scrapes = await scrapeAll();
    for (const name of SERVICES) {
      const series = scrapes[name].series();
      expect(series.length).toBeGreaterThan(0);
      expect(series.filter((sample) => sample.labels?.service !== name)).toEqual([]);
      expect((await fetch(`${publicUrl(name)}/metrics`)).status).toBe(404);
    }
  });

  it("serves Node's runtime metrics from every service: event-loop lag, heap, GC", async () => {
    const scrapes = await scrapeAll();
    for (const name of SERVICES) {
      expect(scrapes[name].type('nodejs_eventloop_lag_seconds')).toBe('GAUGE');
      expect(scrapes[name].value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(scrapes[name].type('nodejs_gc_duration_seconds')).toBe('HISTOGRAM');
      expect(scrapes[name].value('process_cpu_seconds_total')).toBeGreaterThan(0);
    }
  });

  describe('after requests through the gateway', () => {
    let before: Scrapes;
    let after: Scrapes;
    /** How far a counter (or, with `count`, a histogram's observations) moved between the two scrapes. */
    const moved = (name: ServiceName, metric: string, labels: Record<string, string> = {}) => after[name].value(metric, labels) - before[name].value(metric, labels);
    const observed = (name: ServiceName, metric: string, labels: Record<string, string> = {}) => after[name].count(metric, labels) - before[name].count(metric, labels);
    /** Operation names a service counted requests under since `before`. */
    const operationsMoved = (name: ServiceName, labels: Record<string, string>) =>
      after[name]
        .samples('graphql_requests_total')
        .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))
        .filter((sample) => moved(name, 'graphql_requests_total', sample.labels ?? {}) > 0)
        .map((sample) => sample.labels?.operation);

    beforeAll(async () => {
      before = await scrapeAll();
      const gateway = stack.gatewayUrl;
      const catalogue = await graphql(gateway, ProductsDocument, { variables: { first: 2 } });
      const productId = catalogue.data?.products.nodes[0]?.id;
      if (!productId) throw new Error(`no products: ${JSON.stringify(catalogue.errors)}`);
      expect((await graphql(gateway, '{ products(first: 1) { totalCount } }')).errors).toBeUndefined();
      expect(errorCodes(await graphql(gateway, 'query Broken { nope }'))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await graphql(gateway, ProductsDocument, { variables: { first: 0 } }))).toEqual(['BAD_USER_INPUT']);
      const login = await graphql(gateway, LoginDocument, { variables: ALICE });
      const token = login.data?.login.token;
      if (!token) throw new Error(`login failed: ${JSON.stringify(login.errors)}`);
      expect((await createOrder(gateway, token, [{ productId, quantity: 1 }])).errors).toBeUndefined();
      after = await scrapeAll();
    });

    it('the gateway counts each request by operation name, type and outcome, with its duration', () => {
      expect(moved('gateway', 'graphql_requests_total', { operation: 'Products', type: 'query', outcome: 'success' })).toBe(1);
      expect(observed('gateway', 'graphql_request_duration_seconds', { operation: 'Products', type: 'query', outcome: 'success' })).toBe(1);
      expect(moved('gateway', 'graphql_requests_total', { operation: 'Login', type: 'mutation', outcome: 'success' })).toBe(1);
      expect(moved('gateway', 'graphql_requests_total', { operation: 'CreateOrder', type: 'mutation', outcome: 'success' })).toBe(1);
    });

    it('the gateway counts anonymous and invalid operations under the one name unknown', () => {
      expect(moved('gateway', 'graphql_requests_total', { operation: 'unknown', type: 'query', outcome: 'success' })).toBe(1);
      // `query Broken { nope }` never validated: neither its name nor its type counts.
      expect(moved('gateway', 'graphql_requests_total', { operation: 'unknown', type: 'unknown', outcome: 'error' })).toBe(1);
      expect(moved('gateway', 'graphql_requests_total', { operation: 'Broken' })).toBe(0);
      expect(observed('gateway', 'graphql_request_duration_seconds', { operation: 'unknown' })).toBe(2);
    });

    it('the gateway counts a request with an error as an error, by its first error’s code', () => {
      expect(moved('gateway', 'graphql_requests_total', { operation: 'Products', type: 'query', outcome: 'error' })).toBe(1);
      expect(moved('gateway', 'graphql_request_errors_total', { operation: 'Products', code: 'BAD_USER_INPUT' })).toBe(1);
      expect(moved('gateway', 'graphql_request_errors_total', { operation: 'unknown', code: 'BAD_USER_INPUT' })).toBe(1);
    });

    it('the gateway counts its calls to each subgraph by outcome, with their durations, and shows each breaker closed', () => {
      expect(moved('gateway', 'subgraph_calls_total', { subgraph: 'products', outcome: 'success' })).toBeGreaterThanOrEqual(2);
      // products answered `first: 0` with its verdict: an answer with errors, not a failure to answer.
      expect(moved('gateway', 'subgraph_calls_total', { subgraph: 'products', outcome: 'error' })).toBe(1);
      expect(moved('gateway', 'subgraph_calls_total', { subgraph: 'users', outcome: 'success' })).toBeGreaterThanOrEqual(1);
      expect(moved('gateway', 'subgraph_calls_total', { subgraph: 'orders', outcome: 'success' })).toBeGreaterThanOrEqual(1);
      expect(moved('gateway', 'subgraph_calls_total', { outcome: 'unavailable' })).toBe(0);
      expect(observed('gateway', 'subgraph_call_duration_seconds', { subgraph: 'products' })).toBe(moved('gateway', 'subgraph_calls_total', { subgraph: 'products' }));
      for (const subgraph of SUBGRAPH_NAMES) expect(after.gateway.value('circuit_breaker_state', { breaker: `subgraph ${subgraph}` })).toBe(0);
      expect(after.gateway.type('circuit_breaker_state')).toBe('GAUGE');
    });

    it('each subgraph counts the operations the gateway sent it, named after the client’s operation', () => {
      // The query planner names a subgraph's operation <client operation>__<subgraph>__<fetch>.
      expect(operationsMoved('products', { type: 'query', outcome: 'success' })).toEqual(expect.arrayContaining([expect.stringMatching(/^Products__products__\d+$/)]));
      expect(operationsMoved('products', { type: 'query', outcome: 'error' })).toEqual([expect.stringMatching(/^Products__products__\d+$/)]);
      expect(moved('products', 'graphql_request_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
      expect(operationsMoved('users', { type: 'mutation', outcome: 'success' })).toEqual([expect.stringMatching(/^Login__users__\d+$/)]);
      expect(operationsMoved('orders', { type: 'mutation', outcome: 'success' })).toEqual([expect.stringMatching(/^CreateOrder__orders__\d+$/)]);
      for (const name of SUBGRAPH_NAMES) expect(observed(name, 'graphql_request_duration_seconds')).toBe(moved(name, 'graphql_requests_total'));
    });

    it("orders counts its own calls to products and users, and shows its breaker to products and its reconciler's counters", () => {
      expect(moved('orders', 'service_calls_total', { service: 'products', outcome: 'success' })).toBeGreaterThanOrEqual(1);
      expect(moved('orders', 'service_calls_total', { service: 'users', outcome: 'success' })).toBe(1);
      expect(observed('orders', 'service_call_duration_seconds', { service: 'users' })).toBe(1);
      expect(after.orders.value('circuit_breaker_state', { breaker: 'products' })).toBe(0);
      // RECONCILE_INTERVAL_MS=0 here: the reconciler never ran, but its series are there from the start.
      expect(after.orders.type('orders_reconciler_runs_total')).toBe('COUNTER');
      expect(after.orders.samples('orders_reconciled_total').map((sample) => sample.labels?.result).sort()).toEqual(['confirmed', 'failed', 'released']);
    });

    // needs db.ts wiring: fails until db.ts reports each statement through timeStatement (database-metrics.ts).
    it('each subgraph observes its SQL statements’ durations', () => {
      for (const name of SUBGRAPH_NAMES) {
        expect(after[name].type('db_statement_duration_seconds')).toBe('HISTOGRAM');
        // `database` is pglite here, postgres when the suite runs with TEST_DATABASE_URL.
        expect(observed(name, 'db_statement_duration_seconds', { operation: 'SELECT', outcome: 'success' })).toBeGreaterThan(0);
      }
      expect(observed('orders', 'db_statement_duration_seconds', { operation: 'INSERT' })).toBeGreaterThan(0);
    });
  });
});
