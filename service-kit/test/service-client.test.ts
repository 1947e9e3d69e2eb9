import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { createCircuitBreaker, type CircuitBreaker } from '../src/circuit-breaker.js';
import { AppError } from '../src/errors.js';
import { createServiceClient, type ServiceClientOptions } from '../src/service-client.js';
import { inRequestScope } from '../src/request-scope.js';
import { startStandInService, type StandInService } from './support/stand-in-service.js';

const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
const RESERVE = 'mutation ($orderId: ID!) { reserveStock(orderId: $orderId) { status } }';

/** A port nothing listens on: bound once to learn a free one, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What a rejected call rejected with. */
async function failureOf(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('the service-to-service client', () => {
  let products: StandInService;
  const breakers: CircuitBreaker[] = [];
  const client = (overrides: Partial<ServiceClientOptions> = {}) => createServiceClient({ service: 'products', url: products.url, timeoutMs: 1_000, logger, ...overrides });
  const breaker = () => {
    const made = createCircuitBreaker({ name: 'products', errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, logger });
    breakers.push(made);
    return made;
  };
  beforeAll(async () => {
    products = await startStandInService();
  });
  afterEach(() => {
    for (const made of breakers.splice(0)) made.close();
    products.received.length = 0;
    logLines.length = 0;
    products.behave({ status: 200, body: { data: {} } });
  });
  afterAll(() => products.stop());

  it("posts the document and variables to the service's /graphql with the credential, token and request id, and returns the data", async () => {
    products.behave({ status: 200, body: { data: { reserveStock: { status: 'RESERVED' } } } });
    const reserving = client({ headers: { 'x-service-credential': 'secret' } });
    const data = await inRequestScope('req-42', () =>
      reserving.request<{ reserveStock: { status: string } }>(RESERVE, { variables: { orderId: 'order-1' }, authorization: 'Bearer user-token' }),
    );
    expect(data.reserveStock.status).toBe('RESERVED');
    expect(products.received).toHaveLength(1);
    expect(products.received[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-service-credential': 'secret',
      authorization: 'Bearer user-token',
      'x-request-id': 'req-42',
    });
    expect(products.received[0]!.body).toEqual({ query: RESERVE, variables: { orderId: 'order-1' } });
  });

  it('sends no token or request id the call did not bring', async () => {
    await client().request('{ ping }');
    expect(products.received[0]!.headers.authorization).toBeUndefined();
    expect(products.received[0]!.headers['x-request-id']).toBeUndefined();
  });

  it('gives up after its timeout with SERVICE_UNAVAILABLE, naming no host', async () => {
    products.behave('hang');
    const started = performance.now();
    const error = await failureOf(client({ timeoutMs: 200, unavailableMessage: 'Products are unavailable' }).request('{ ping }'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toBe('Products are unavailable');
    expect(logLines).toContainEqual(expect.objectContaining({ level: 40, service: 'products', msg: 'products call failed' }));
    expect(JSON.stringify(logLines)).toMatch(/gave no answer within 200 ms/);
  });

  it('answers SERVICE_UNAVAILABLE when the service refuses, drops the connection, fails or answers no GraphQL', async () => {
    const refused = await failureOf(client({ url: `http://127.0.0.1:${await closedPort()}` }).request('{ ping }'));
    expect(refused.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed/);
    for (const behaviour of [
      'drop' as const,
      { status: 503, body: 'unavailable' },
      { status: 500, body: { errors: [{ message: 'boom', extensions: { code: 'NOT_FOUND' } }] } },
      { status: 200, body: '<html>a proxy page</html>' },
      { status: 200, body: { data: null } },
      { status: 404, body: 'no such route' },
    ]) {
      products.behave(behaviour);
      expect((await failureOf(client().request('{ ping }'))).extensions.code, JSON.stringify(behaviour)).toBe('SERVICE_UNAVAILABLE');
    }
  });

  it("passes the service's coded verdicts on as AppErrors with their code and extensions", async () => {
    products.behave({ status: 200, body: { data: null, errors: [{ message: 'Not enough stock for product p-1', extensions: { code: 'INSUFFICIENT_STOCK', productId: 'p-1' } }] } });
    const stock = await failureOf(client().request(RESERVE, { variables: { orderId: 'o' } }));
    expect(stock.code).toBe('INSUFFICIENT_STOCK');
    expect(stock.message).toBe('Not enough stock for product p-1');
    expect(stock.extensions).toEqual({ code: 'INSUFFICIENT_STOCK', productId: 'p-1' });

    products.behave({ status: 200, body: { data: null, errors: [{ message: 'quantity must be 1 to 1000', extensions: { code: 'BAD_USER_INPUT', field: 'items' } }] } });
    expect((await failureOf(client().request('{ ping }'))).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'items' });

    // A request the service refuses as a whole (HTTP 401) is still its verdict.
    products.behave({ status: 401, body: { errors: [{ message: 'Not signed in', extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect((await failureOf(client().request('{ ping }'))).code).toBe('UNAUTHENTICATED');
    expect(logLines.filter((line) => line.level === 40)).toEqual([]);
  });

  it('answers SERVICE_UNAVAILABLE for errors that say the service failed, and for uncoded ones', async () => {
    for (const error of [
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      { message: 'its database is down', extensions: { code: 'SERVICE_UNAVAILABLE' } },
      { message: 'Cannot query field "reserveStock"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      { message: 'no extensions at all' },
    ]) {
      products.behave({ status: 200, body: { data: null, errors: [error] } });
      const failure = await failureOf(client().request('{ ping }'));
      expect(failure.code, error.message).toBe('SERVICE_UNAVAILABLE');
      expect(failure.message).not.toContain(error.message);
    }
  });

  it('takes its own verdicts: a coded error it does not accept is the call failing', async () => {
    const onlyStock = client({ isVerdict: (error) => error.extensions?.code === 'INSUFFICIENT_STOCK' });
    products.behave({ status: 200, body: { data: null, errors: [{ message: 'Not signed in', extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect((await failureOf(onlyStock.request('{ ping }'))).code).toBe('SERVICE_UNAVAILABLE');
    products.behave({ status: 200, body: { data: null, errors: [{ message: 'no', extensions: { code: 'INSUFFICIENT_STOCK', productId: 'p' } }] } });
    expect((await failureOf(onlyStock.request('{ ping }'))).code).toBe('INSUFFICIENT_STOCK');
  });

  it('opens its breaker after repeated timeouts, then fails fast without calling the service', async () => {
    const guarded = breaker();
    const reserving = client({ timeoutMs: 100, breaker: guarded });
    products.behave('hang');
    for (let call = 0; call < 3; call++) expect((await failureOf(reserving.request('{ ping }'))).code).toBe('SERVICE_UNAVAILABLE');
    expect(guarded.state()).toBe('open');
    expect(products.received).toHaveLength(3);

    const warningsBefore = logLines.filter((line) => line.msg === 'products call failed').length;
    const started = performance.now();
    expect((await failureOf(reserving.request('{ ping }'))).code).toBe('SERVICE_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(100);
    expect(products.received).toHaveLength(3);
    // Refused calls are not logged one by one as failures: the breaker logged its opening.
    expect(logLines.filter((line) => line.msg === 'products call failed')).toHaveLength(warningsBefore);
  });

  it('half-opens its breaker after the reset time and closes it on the first call that works', async () => {
    const guarded = breaker();
    const reserving = client({ breaker: guarded });
    products.behave({ status: 502, body: 'bad gateway' });
    for (let call = 0; call < 3; call++) await failureOf(reserving.request('{ ping }'));
    expect(guarded.state()).toBe('open');
    await vi.waitFor(() => expect(guarded.state()).toBe('halfOpen'), { timeout: 2_000, interval: 20 });
    products.behave({ status: 200, body: { data: { ping: 'pong' } } });
    await expect(reserving.request('{ ping }')).resolves.toEqual({ ping: 'pong' });
    expect(guarded.state()).toBe('closed');
  });

  it("never opens its breaker on the service's verdicts", async () => {
    const guarded = breaker();
    const reserving = client({ breaker: guarded });
    products.behave({ status: 200, body: { data: null, errors: [{ message: 'no', extensions: { code: 'INSUFFICIENT_STOCK', productId: 'p' } }] } });
    for (let call = 0; call < 6; call++) expect((await failureOf(reserving.request('{ ping }'))).code).toBe('INSUFFICIENT_STOCK');
    expect(guarded.state()).toBe('closed');
  });

  it("logs a failed call with the request's own logger, so the line carries its request id", async () => {
    products.behave({ status: 500, body: 'boom' });
    await failureOf(client().request('{ ping }', { logger: logger.child({ requestId: 'req-7' }), operation: 'ping' }));
    expect(logLines).toContainEqual(expect.objectContaining({ requestId: 'req-7', service: 'products', operation: 'ping', msg: 'products call failed' }));
  });
});
