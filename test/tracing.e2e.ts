import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORDERS, DEMO_PRODUCTS, REQUEST_ID_ATTRIBUTE } from '@shop/service-kit';
import { CANONICAL } from '../bench/canonical-query.js';
import { startProcessStack, type ProcessStack } from './support/process-stack.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { ALICE, graphql, login } from './support/graphql.js';
import { CreateOrderDocument } from '@shop/sdk';

const SERVER = 2;
const CLIENT = 3;
/** A SQL statement's span, on PostgreSQL (OpenTelemetry's pg instrumentation) or on PGlite (ours). */
const isStatement = (span: ReceivedSpan) => /^(pg|pglite)\.query:/.test(span.name);

/**
 * Tracing on in every service, exporting OTLP/HTTP (JSON) to a collector on loopback: one client
 * request is one trace across the four services and their SQL, every parent present.
 */
describe('one trace per request across the supergraph', { timeout: 180_000 }, () => {
  let receiver: OtlpReceiver;
  let stack: ProcessStack;
  let token: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startProcessStack(() => ({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      // Spans leave within 100 ms rather than the SDK's default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    }));
    token = await login(stack.gatewayUrl, ALICE.email, ALICE.password);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  /**
   * The trace of the request sent with `requestId`, once its gateway server span and every
   * parent of every span in it have arrived, with spans from each of `services`.
   */
  async function traceOf(requestId: string, services: string[]): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const root = receiver.spans.find((span) => span.service === 'gateway' && span.kind === SERVER && span.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
      const spans = root ? receiver.spans.filter((span) => span.traceId === root.traceId) : [];
      const ids = new Set(spans.map((span) => span.spanId));
      const complete = services.every((service) => spans.some((span) => span.service === service)) && spans.every((span) => !span.parentSpanId || ids.has(span.parentSpanId));
      if (root && complete) return spans;
      if (Date.now() > deadline) {
        const seen = spans.map((span) => `${span.service} ${span.name} ${span.spanId}<-${span.parentSpanId}`).join('\n');
        throw new Error(`the trace of ${requestId} did not arrive whole:\n${seen}`);
      }
      await sleep(100);
    }
  }

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

  it('makes no spans for health and readiness probes', async () => {
    const before = receiver.spans.length;
    for (const path of ['/health', '/ready']) expect((await fetch(`${stack.urls.users}${path}`)).ok).toBe(true);
    await graphql(stack.urls.users, '{ __typename }');
    await sleep(500);
    const users = receiver.spans.slice(before).filter((span) => span.service === 'users' && span.kind === SERVER);
    expect(users.map((span) => span.attributes['url.path'] ?? span.attributes['http.target'])).toEqual(['/graphql']);
  });
});
