import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateOrderDocument, LoginDocument, ProductsDocument } from '@shop/sdk';
import { DEMO_ORDERS, DEMO_PRODUCTS, REQUEST_ID_ATTRIBUTE } from '@shop/service-kit';
import { SUBGRAPH_NAMES, type ServiceName } from '@shop/service-kit/definitions';
import { CANONICAL } from '../bench/canonical-query.js';
import { freePort } from '../scripts/processes.js';
import { ALICE, errorCodes, graphql, login } from './support/graphql.js';
import { createOrder } from './support/checkout.js';
import { requestInParts } from './support/deferred-parts.js';
import { startProcessStack, type ProcessStack } from './support/process-stack.js';
import { startOtlpReceiver, wholeTrace, type OtlpReceiver, type ReceivedSpan } from '../scripts/otlp-receiver.js';
import { scrape, type Scrape } from './support/prometheus.js';

/**
 * What only whole processes show: their traces and their /metrics. One stack of four real
 * processes for the whole file (starting one costs seconds of CPU per service), each tracing to a
 * collector on loopback and serving metrics on a port of its own.
 */
const SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const satisfies readonly ServiceName[];
let receiver: OtlpReceiver;
let stack: ProcessStack;
const metricsPorts = {} as Record<ServiceName, number>;
const metricsUrl = (name: ServiceName) => `http://127.0.0.1:${metricsPorts[name]}/metrics`;
const publicUrl = (name: ServiceName) => (name === 'gateway' ? stack.gatewayUrl : stack.urls[name]);

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  for (const name of SERVICES) metricsPorts[name] = await freePort();
  stack = await startProcessStack((name) => ({
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    // Spans leave within 100 ms rather than the SDK's default 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '100',
    METRICS_PORT: String(metricsPorts[name]),
  }));
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

const SERVER = 2;
const CLIENT = 3;
/** A SQL statement's span, on PostgreSQL (OpenTelemetry's pg instrumentation) or on PGlite (ours). */
const isStatement = (span: ReceivedSpan) => /^(pg|pglite)\.query:/.test(span.name);

/**
 * Tracing on in every service, exporting OTLP/HTTP (JSON) to a collector on loopback: one client
 * request is one trace across the four services and their SQL, every parent present.
 */
describe('one trace per request across the supergraph', { timeout: 180_000 }, () => {
  let token: string;
  beforeAll(async () => {
    token = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
  });

  /** The trace of the request sent with `requestId`, whole, with spans from each of `services`. */
  const traceOf = (requestId: string, services: string[]) =>
    wholeTrace(receiver.spans, { service: 'gateway', attribute: REQUEST_ID_ATTRIBUTE, value: requestId }, services);

  const parentOf = (spans: ReceivedSpan[], span: ReceivedSpan) => spans.find((candidate) => candidate.spanId === span.parentSpanId);

  it("gives the canonical query one trace: the gateway's request, plan and fetches, each subgraph's server span, GraphQL, batches and SQL", async () => {
    const requestId = `canonical-${randomUUID()}`;
    // Named afresh, so the gateway plans it rather than taking its plan from the cache.
    const named = CANONICAL.replace('query (', `query Canonical${requestId.replaceAll('-', '')} (`);
    const response = await graphql(stack.gatewayUrl, named, { token, variables: { id: DEMO_ORDERS[1].id }, headers: { 'x-request-id': requestId } });
    expect(response.errors).toBeUndefined();
    const spans = await traceOf(requestId, ['gateway', 'users', 'products', 'orders']);

    // Each service's server span for this request sits in this one trace.
    const servers = receiver.spans.filter((span) => span.kind === SERVER && span.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
    expect(new Set(servers.map((span) => span.traceId))).toEqual(new Set([spans[0]!.traceId]));
    expect(servers.map((span) => span.service).sort()).toEqual(['gateway', 'orders', 'products', 'users']);
    // One root, the gateway's server span; every other span's parent is in the trace.
    const roots = spans.filter((span) => !span.parentSpanId);
    expect(roots.map((span) => [span.service, span.kind])).toEqual([['gateway', SERVER]]);

    const gatewayNames = new Set(spans.filter((span) => span.service === 'gateway').map((span) => span.name));
    for (const name of ['gateway.request', 'gateway.validate', 'gateway.plan', 'gateway.execute', 'gateway.fetch', 'gateway.postprocessing']) expect(gatewayNames).toContain(name);
    for (const subgraph of ['users', 'products', 'orders']) {
      const own = spans.filter((span) => span.service === subgraph);
      // Its server span is the child of a gateway client span (the HTTP call), itself under a fetch.
      const server = own.find((span) => span.kind === SERVER)!;
      const call = parentOf(spans, server)!;
      expect([call.service, call.kind]).toEqual(['gateway', CLIENT]);
      expect(parentOf(spans, call)?.name).toBe('gateway.fetch');
      expect(own.some((span) => span.name.startsWith('query'))).toBe(true);
      const statements = own.filter(isStatement);
      expect(statements.length, `${subgraph} SQL spans`).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.attributes['db.system.name']).toBe('postgresql');
        expect(statement.attributes['db.query.text']).toEqual(expect.any(String));
      }
    }
    // The statement text, never the values: the order's id is a parameter.
    const texts = spans.filter(isStatement).map((span) => String(span.attributes['db.query.text']));
    expect(texts.some((text) => text.includes('$1'))).toBe(true);
    expect(texts.some((text) => text.includes(DEMO_ORDERS[1].id))).toBe(false);
    expect(spans.some((span) => span.name.startsWith('dataloader.batch'))).toBe(true);
  });

  it("puts products' reservation statements and users' account check in the trace of the createOrder that caused them", async () => {
    const requestId = `checkout-${randomUUID()}`;
    const placed = await graphql(stack.gatewayUrl, CreateOrderDocument, {
      token,
      variables: { input: { items: [{ productId: DEMO_PRODUCTS[4]!.id, quantity: 1 }], idempotencyKey: randomUUID() } },
      headers: { 'x-request-id': requestId },
    });
    expect(placed.errors).toBeUndefined();
    const spans = await traceOf(requestId, ['gateway', 'users', 'products', 'orders']);
    for (const callee of ['products', 'users']) {
      // The call orders made: products' and users' server spans under an orders client span.
      const calledByOrders = spans.filter((span) => span.service === callee && span.kind === SERVER && parentOf(spans, span)?.service === 'orders');
      expect(calledByOrders.length, `${callee} server spans under orders`).toBeGreaterThan(0);
      expect(calledByOrders.every((span) => parentOf(spans, span)!.kind === CLIENT)).toBe(true);
    }
    const reservation = spans.filter((span) => span.service === 'products' && isStatement(span) && /UPDATE|INSERT/.test(String(span.attributes['db.query.text'])));
    expect(reservation.length).toBeGreaterThan(0);
    // orders passed the request id on to products, as the gateway did.
    const productsServers = spans.filter((span) => span.service === 'products' && span.kind === SERVER);
    expect(productsServers.every((span) => span.attributes[REQUEST_ID_ATTRIBUTE] === requestId)).toBe(true);
  });

  it('gives each deferred part of an answer in parts (@defer) a span of its own in the request\'s trace, its fetches under it', async () => {
    const requestId = `defer-${randomUUID()}`;
    const query = `{ order(id: "${DEMO_ORDERS[0].id}") { id ... @defer(label: "products") { items { product { name } } } ... @defer(label: "user") { user { name } } } }`;
    const answer = await requestInParts(stack.gatewayUrl, 'deferSpec=20220824', query, { token, headers: { 'x-request-id': requestId } });
    expect(answer.parts).toHaveLength(3);
    const spans = await traceOf(requestId, ['gateway', 'users', 'products', 'orders']);
    const parts = spans.filter((span) => span.name === 'gateway.defer.part');
    expect(parts.map((span) => span.attributes['graphql.defer.label']).sort()).toEqual(['products', 'user']);
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const parent = parentOf(spans, span);
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    // Each subgraph's call for a deferred part is under that part's span.
    for (const [subgraph, label] of [['products', 'products'], ['users', 'user']] as const) {
      const server = spans.find((span) => span.service === subgraph && span.kind === SERVER)!;
      expect(ancestors(server).find((span) => span.name === 'gateway.defer.part')?.attributes['graphql.defer.label'], subgraph).toBe(label);
    }
  });

  it('makes no spans for health and readiness probes', async () => {
    const before = receiver.spans.length;
    for (const path of ['/health', '/ready']) expect((await fetch(`${stack.urls.users}${path}`)).ok).toBe(true);
    await graphql(stack.urls.users, '{ __typename }');
    await sleep(500);
    const users = receiver.spans.slice(before).filter((span) => span.service === 'users' && span.kind === SERVER);
    expect(users.map((span) => span.attributes['url.path'] ?? span.attributes['http.target'])).toEqual(['/graphql']);
  });
});

/** Every service's scrape at one moment. */
type Scrapes = Record<ServiceName, Scrape>;

describe('metrics', () => {
  const scrapeAll = async (): Promise<Scrapes> =>
    Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, await scrape(metricsUrl(name))] as const))) as Scrapes;

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
      expect(moved('orders', 'service_calls_total', { callee: 'products', outcome: 'success' })).toBeGreaterThanOrEqual(1);
      expect(moved('orders', 'service_calls_total', { callee: 'users', outcome: 'success' })).toBe(1);
      expect(observed('orders', 'service_call_duration_seconds', { callee: 'users' })).toBe(1);
      expect(after.orders.value('circuit_breaker_state', { breaker: 'products' })).toBe(0);
      // RECONCILE_INTERVAL_MS=0 here: the reconciler never ran, but its series are there from the start.
      expect(after.orders.type('orders_reconciler_runs_total')).toBe('COUNTER');
      expect(after.orders.samples('orders_reconciled_total').map((sample) => sample.labels?.result).sort()).toEqual(['confirmed', 'expired', 'failed', 'released']);
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
