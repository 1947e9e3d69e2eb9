import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { migrate, openDatabase, usersTokenVerifier, type Database } from '@shop/service-kit';
import { fileURLToPath } from 'node:url';
import { createUsersService } from '../../subgraphs/users/src/server.js';
import { developmentSigningKey, signingKeyFromPem } from '../../subgraphs/users/src/signing-key.js';
import { createUsersRepository } from '../../subgraphs/users/src/users-repository.js';
import { seedDemoUsers } from '../../subgraphs/users/src/seed.js';
import { createProductsService } from '../../subgraphs/products/src/server.js';
import { seedDemoProducts } from '../../subgraphs/products/src/seed.js';
import { createOrdersService } from '../../subgraphs/orders/src/server.js';
import { createProductsClient, type ProductsClient } from '../../subgraphs/orders/src/products-client.js';
import { createAccountCheck } from '../../subgraphs/orders/src/account-check.js';
import type { Reconciler } from '../../subgraphs/orders/src/reconciler.js';
import { createOrdersRepository } from '../../subgraphs/orders/src/orders-repository.js';
import { seedDemoOrders } from '../../subgraphs/orders/src/seed.js';
import { createGatewayService } from '../../gateway/src/server.js';
import { loadPersistedDocuments } from '../../gateway/src/persisted-documents.js';
import { DEFAULT_LIMITS, type DocumentLimits } from '../../gateway/src/document-limits.js';
import type { RateLimitOptions } from '../../gateway/src/rate-limits.js';
import { createTestDatabase } from './databases.js';
import { testLogger } from './logger.js';

export const SUBGRAPHS = ['users', 'products', 'orders'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** The whole supergraph running in this process, each service on its own free loopback port. */
export interface Stack {
  gatewayUrl: string;
  /** Base URL (http://127.0.0.1:port) of each subgraph. */
  urls: Record<SubgraphName, string>;
  dbs: Record<SubgraphName, Database>;
  /** Every SQL statement each subgraph ran, in order; tests may clear them. */
  statements: Record<SubgraphName, string[]>;
  /** The headers of every request each subgraph received. */
  requests: Record<SubgraphName, IncomingHttpHeaders[]>;
  /** orders' client to products (its breaker state). */
  products: ProductsClient;
  /** The gateway's circuit breaker to one subgraph: closed | open | halfOpen. */
  gatewayBreakerState(name: SubgraphName): 'closed' | 'open' | 'halfOpen';
  /** orders' reconciler, run on demand (no background interval in tests). */
  reconciler: Reconciler;
  /** Stops one subgraph early (the rest keep running), as when a service goes down. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again, on its old port and database. */
  startSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const TOKEN_RULES = { issuer: 'shop-users', audience: 'shop' };
export const SERVICE_CREDENTIAL = 'test-service-credential';


/**
 * Starts users, products, orders (fresh databases, migrated, with the demo data) and the gateway
 * serving the committed supergraph.graphql. `stop` shuts all down and drops the databases.
 */
export interface StackOptions {
  /** orders' timeout on its calls to products. */
  productsTimeoutMs?: number;
  /** How old a PLACING order must be for the reconciler to take it. */
  reconcileAfterMs?: number;
  /** How long orders' breaker to products stays open before it tries again. */
  breakerResetMs?: number;
  /** Where orders reaches products, given products' own URL (a test may put a proxy between them). */
  ordersToProducts?: (productsUrl: string) => Promise<string>;
  /** The gateway serves only the SDK's persisted documents (PERSISTED_DOCUMENTS_ONLY). */
  persistedDocumentsOnly?: boolean;
  /** The gateway's document limits; the defaults otherwise. */
  documentLimits?: Partial<DocumentLimits>;
  /** The gateway's rate limits; so generous otherwise that no other test meets them. */
  rateLimits?: Partial<Omit<RateLimitOptions, 'keyPrefix'>>;
  /** The gateway's production posture: no Sandbox or introspection, suggestions hidden. */
  gatewayProduction?: boolean;
  corsOrigins?: string[] | true;
  trustedProxies?: string[] | number;
  /** Where the gateway reaches a subgraph, given its base URL (a test may put a proxy between them). */
  gatewayToSubgraph?: (name: SubgraphName, baseUrl: string) => Promise<string>;
  /** The gateway's deadline for one subgraph call. */
  gatewayTimeoutMs?: number;
  /** How long the gateway's breaker to a subgraph stays open before it tries again. */
  gatewayBreakerResetMs?: number;
  /** users' signing key (PKCS#8 PEM), as JWT_PRIVATE_KEY gives it; a fresh key when absent. A test that mints its own tokens passes one it knows. */
  signingKeyPem?: string;
}

interface RunnableService {
  httpServer: Server;
  listen(port: number, host: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const statements = { users: [], products: [], orders: [] } as Record<SubgraphName, string[]>;
  const requests = { users: [], products: [], orders: [] } as Record<SubgraphName, IncomingHttpHeaders[]>;
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const dbs = {} as Record<SubgraphName, Database>;
    for (const name of SUBGRAPHS) {
      const testDb = await createTestDatabase(name);
      cleanups.push(() => testDb.drop());
      const db = await openDatabase({ url: testDb.url, onStatement: (sql) => statements[name].push(sql) });
      cleanups.push(() => db.close());
      await migrate(db, fileURLToPath(new URL(`../../subgraphs/${name}/migrations/`, import.meta.url)));
      dbs[name] = db;
    }
    await seedDemoUsers(createUsersRepository(dbs.users), testLogger('users'));
    await seedDemoProducts(dbs.products, testLogger('products'));
    await seedDemoOrders(createOrdersRepository(dbs.orders), testLogger('orders'));

    const signingKey = options.signingKeyPem ? await signingKeyFromPem(options.signingKeyPem) : await developmentSigningKey(undefined);
    const urls = {} as Record<SubgraphName, string>;
    const running = {} as Record<SubgraphName, { stop: () => Promise<void>; start: () => Promise<void> }>;
    /** Serves a subgraph made by `create`, on the port it had before when it is started again. */
    const serve = async (name: SubgraphName, create: () => Promise<RunnableService>) => {
      let stopped: Promise<void> | undefined;
      const start = async () => {
        const service = await create();
        service.httpServer.on('request', (req) => requests[name].push(req.headers));
        urls[name] = await service.listen(urls[name] ? Number(new URL(urls[name]).port) : 0, HOST);
        stopped = undefined;
        running[name].stop = () => (stopped ??= service.stop());
      };
      running[name] = { start, stop: async () => {} };
      await start();
      cleanups.push(() => running[name].stop());
    };
    await serve('users', async () =>
      createUsersService({
        db: dbs.users,
        logger: testLogger('users'),
        signingKey,
        tokenRules: TOKEN_RULES,
        tokenTtlSeconds: 3600,
        sandbox: true,
        shutdownTimeoutMs: 1_000,
      }),
    );
    const verifyToken = usersTokenVerifier({ USERS_URL: urls.users, JWT_ISSUER: TOKEN_RULES.issuer, JWT_AUDIENCE: TOKEN_RULES.audience });
    const subgraphDeps = { verifyToken, sandbox: true, shutdownTimeoutMs: 1_000 };
    await serve('products', async () =>
      createProductsService({ db: dbs.products, logger: testLogger('products'), serviceCredential: SERVICE_CREDENTIAL, ...subgraphDeps }),
    );
    const products = createProductsClient({
      url: options.ordersToProducts ? await options.ordersToProducts(urls.products) : urls.products,
      serviceCredential: SERVICE_CREDENTIAL,
      timeoutMs: options.productsTimeoutMs ?? 3_000,
      breaker: { resetTimeoutMs: options.breakerResetMs ?? 1_000, errorThresholdPercentage: 50, volumeThreshold: 3 },
      logger: testLogger('orders'),
    });
    let reconciler: Reconciler | undefined;
    await serve('orders', async () => {
      const orders = await createOrdersService({
        db: dbs.orders,
        logger: testLogger('orders'),
        products,
        accounts: createAccountCheck({ url: urls.users, timeoutMs: 3_000 }),
        reconcileAfterMs: options.reconcileAfterMs ?? 30_000,
        waitForAttemptMs: 2 * (options.productsTimeoutMs ?? 3_000),
        ...subgraphDeps,
      });
      reconciler = orders.reconciler;
      return orders;
    });

    const subgraphUrls: Record<string, string> = {};
    for (const name of SUBGRAPHS) {
      subgraphUrls[name] = `${options.gatewayToSubgraph ? await options.gatewayToSubgraph(name, urls[name]) : urls[name]}/graphql`;
    }
    const gateway = await createGatewayService({
      logger: testLogger('gateway'),
      supergraphSdl: await readFile(new URL('../../supergraph.graphql', import.meta.url), 'utf8'),
      subgraphUrls,
      verifyToken,
      sandbox: !options.gatewayProduction,
      documentLimits: { ...DEFAULT_LIMITS, hideSuggestions: options.gatewayProduction ?? false, ...options.documentLimits },
      rateLimits: {
        requests: { points: 1_000_000, durationSeconds: 60 },
        logins: { points: 1_000_000, durationSeconds: 60 },
        ...options.rateLimits,
        // Unique per stack: runs sharing one Redis never count each other's requests.
        keyPrefix: `test-${randomUUID()}`,
      },
      responseCacheMegabytes: 8,
      corsOrigins: options.corsOrigins ?? true,
      trustedProxies: options.trustedProxies ?? [],
      subgraphTimeoutMs: options.gatewayTimeoutMs ?? 10_000,
      subgraphConnections: 16,
      deduplicateSubgraphReads: true,
      subgraphBreaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: options.gatewayBreakerResetMs ?? 1_000 },
      shutdownTimeoutMs: 1_000,
      persistedDocuments: {
        documents: await loadPersistedDocuments(new URL('../../sdk/src/__generated__/persisted-documents.json', import.meta.url)),
        onlyListed: options.persistedDocumentsOnly ?? false,
      },
    });
    const gatewayUrl = await gateway.listen(0, HOST);
    cleanups.push(() => gateway.stop());
    return {
      gatewayUrl,
      urls,
      dbs,
      statements,
      requests,
      products,
      gatewayBreakerState: (name) => gateway.subgraphBreakerState(name),
      reconciler: reconciler!,
      stopSubgraph: (name) => running[name].stop(),
      startSubgraph: (name) => running[name].start(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
