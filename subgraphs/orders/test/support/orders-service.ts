import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createTokenVerifier, type Role } from '@shop/service-kit';
import { testLogger } from '../../../../test/support/logger.js';
import { signToken, TOKEN_DEFAULTS } from '../../../../test/support/tokens.js';
import { createOrdersService, type OrdersServiceDeps } from '../../src/server.js';
import { createOrderSeeding } from '../../src/order-seeding.js';
import type { OrderStatus } from '../../src/order-rows.js';
import { fakeProducts } from './fake-products.js';
import { openOrdersDatabase } from './orders-database.js';

export interface TestUser {
  id: string;
  role: Role;
}

/**
 * The real orders service on PGlite, listening on a free port of 127.0.0.1, with tokens signed by
 * a key of the test's own (as users would sign them) and products faked; `eventRelay` publishes its
 * events to NATS.
 */
export async function startOrdersService(options: Pick<OrdersServiceDeps, 'eventRelay'> = {}) {
  const db = await openOrdersDatabase();
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const service = await createOrdersService({
    db,
    logger: testLogger('orders'),
    verifyToken: createTokenVerifier(publicKey, { issuer: TOKEN_DEFAULTS.iss, audience: TOKEN_DEFAULTS.aud }),
    sandbox: false,
    products: fakeProducts(),
    accounts: { requireAccount: async () => {} },
    reconcileAfterMs: 60_000,
    paymentWindowMs: 30 * 60_000,
    maxOpenOrdersPerCustomer: 20,
    waitForAttemptMs: 1_000,
    outboxPollMs: 200,
    webhooks: { retrySchedule: [1_000], timeoutMs: 1_000, concurrency: 1, pollMs: 200, policy: { allowPrivate: true }, consumer: `orders-webhooks-${randomUUID().slice(0, 8)}` },
    ...options,
  });
  const url = await service.listen(0, '127.0.0.1');
  const seeding = createOrderSeeding(db);

  return {
    url,
    db,
    service,
    /** A token of `user`, valid for an hour or until `expiresAt` (seconds since the epoch). */
    token: (user: TestUser, expiresAt?: number) => signToken(privateKey, 'test-key', { sub: user.id, role: user.role, ...(expiresAt === undefined ? {} : { exp: expiresAt }) }),
    /** A placed order of `owner`, written directly (placing is checkout's test); its id. */
    async placeOrder(owner: TestUser, status: OrderStatus = 'PENDING'): Promise<string> {
      const order = await seeding.createOrder({ userId: owner.id, status, currency: 'EUR', items: [{ productId: randomUUID(), quantity: 2, unitPriceCents: 450 }] });
      return order.id;
    },
    /** POST /graphql as `token`: the answer's body. */
    async graphql(query: string, variables: Record<string, unknown>, token?: string): Promise<{ data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] }> {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
    },
    async stop() {
      await service.stop();
      await db.close();
    },
  };
}

export type RunningOrdersService = Awaited<ReturnType<typeof startOrdersService>>;
