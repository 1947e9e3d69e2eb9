import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  openDatabase,
  SUBGRAPH_NAMES,
  type Database,
  type DatabaseServiceConfig,
  type RunnableService,
  type SubgraphName,
  type SubgraphServiceDefinition,
} from '@shop/service-kit';
import { gatewayService, SUBGRAPH_SERVICES } from '../../scripts/services.js';
import type { Reconciler } from '../../subgraphs/orders/src/reconciler.js';
import { createSeededDatabase } from './databases.js';
import { testLogger } from './logger.js';
import { newSigningKeyPem } from './tokens.js';

export { SUBGRAPH_NAMES as SUBGRAPHS, type SubgraphName };

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
  /** The state of orders' circuit breaker to products. */
  productsBreakerState(): 'closed' | 'open' | 'halfOpen';
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
export const SERVICE_CREDENTIAL = 'test-service-credential';

/** How a test configures the stack: what an operator would set in each service's environment. */
export interface StackOptions {
  /** orders' timeout on its calls to products. */
  productsTimeoutMs?: number;
  /** How old a PLACING order must be for the reconciler to take it. */
  reconcileAfterMs?: number;
  /** How long orders' breaker to products stays open before it tries again. */
  breakerResetMs?: number;
  /** Where orders reaches products, given products' own URL (a test may put a proxy between them). */
  ordersToProducts?: (productsUrl: string) => Promise<string>;
  /** More of orders' environment (NATS_URL and the order events' stream, say). */
  ordersEnv?: Record<string, string>;
  /** The gateway serves only the SDK's persisted documents (PERSISTED_DOCUMENTS_ONLY). */
  persistedDocumentsOnly?: boolean;
  /** The gateway's document limits (MAX_DEPTH, ...); the defaults otherwise. */
  documentLimits?: Partial<Record<'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxTokens', number>>;
  /** The gateway's entity cache (ENTITY_CACHE_MB); its default (on) otherwise. 0 for a file about what a client sees when nothing is cached. */
  entityCacheMegabytes?: number;
  /** The gateway's rate limits; so generous otherwise that no other test meets them. */
  rateLimits?: { requests?: RateLimit; loginAddresses?: RateLimit; logins?: RateLimit; loginAccounts?: RateLimit; registrations?: RateLimit };
  /** The gateway in production (NODE_ENV=production): no Sandbox or introspection, suggestions hidden. */
  gatewayProduction?: boolean;
  corsOrigins?: string[];
  trustedProxies?: string[] | number;
  /** Where the gateway reaches a subgraph, given its base URL (a test may put a proxy between them). */
  gatewayToSubgraph?: (name: SubgraphName, baseUrl: string) => Promise<string>;
  /** Where a subgraph reaches its PostgreSQL database, given the database's URL (a test may put a relay between them). */
  databaseRoute?: (name: SubgraphName, databaseUrl: string) => Promise<string>;
  /** The gateway's deadline for one subgraph call. */
  gatewayTimeoutMs?: number;
  /** How long the gateway's breaker to a subgraph stays open before it tries again. */
  gatewayBreakerResetMs?: number;
  /** users' signing key (PKCS#8 PEM), as JWT_PRIVATE_KEY gives it; a fresh key when absent. A test that mints its own tokens passes one it knows. */
  signingKeyPem?: string;
}

interface RateLimit {
  points: number;
  durationSeconds: number;
}

type Env = Record<string, string | undefined>;
const DOCUMENT_LIMIT_ENV = { maxDepth: 'MAX_DEPTH', maxAliases: 'MAX_ALIASES', maxDirectives: 'MAX_DIRECTIVES', maxTokens: 'MAX_TOKENS' } as const;

/** What orders' service adds to a plain HTTP service. */
type OrdersService = Awaited<ReturnType<(typeof SUBGRAPH_SERVICES)['orders']['create']>>;

/**
 * Starts users, products, orders (each on a copy of its seeded template database) and the
 * gateway serving the committed supergraph.graphql, each made by its service definition from an
 * environment, as its index.ts makes it. `stop` shuts all down and drops the databases.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const statements = { users: [], products: [], orders: [] } as Record<SubgraphName, string[]>;
  const requests = { users: [], products: [], orders: [] } as Record<SubgraphName, IncomingHttpHeaders[]>;
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const dbs = {} as Record<SubgraphName, Database>;
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        const testDb = await createSeededDatabase(name);
        cleanups.push(() => testDb.drop());
        const url = testDb.url && options.databaseRoute ? await options.databaseRoute(name, testDb.url) : testDb.url;
        const db = await openDatabase({ url, archive: testDb.archive, onStatement: (sql) => statements[name].push(sql) });
        cleanups.push(() => db.close());
        dbs[name] = db;
      }),
    );

    const common: Env = { NODE_ENV: 'test', HOST, SHUTDOWN_TIMEOUT_MS: '1000', SERVICE_CREDENTIAL };
    const urls = {} as Record<SubgraphName, string>;
    const running = {} as Record<SubgraphName, { stop: () => Promise<void>; start: () => Promise<void> }>;
    /** Serves a subgraph made by `create`, on the port it had before when it is started again. */
    const serve = async <Service extends RunnableService>(name: SubgraphName, create: () => Promise<Service>): Promise<() => Service> => {
      let current: Service | undefined;
      let stopped: Promise<void> | undefined;
      const start = async () => {
        const service = await create();
        service.httpServer.on('request', (req) => requests[name].push(req.headers));
        urls[name] = await service.listen(urls[name] ? Number(new URL(urls[name]).port) : 0, HOST);
        current = service;
        stopped = undefined;
        running[name].stop = () => (stopped ??= service.stop());
      };
      running[name] = { start, stop: async () => {} };
      await start();
      cleanups.push(() => running[name].stop());
      return () => current!;
    };
    const subgraph = (name: SubgraphName, env: Env) => {
      // Each definition takes the config its own loadConfig makes; here both are seen through the common type.
      const definition = SUBGRAPH_SERVICES[name] as SubgraphServiceDefinition<DatabaseServiceConfig>;
      return serve(name, async () => definition.create(dbs[name], await definition.loadConfig({ ...common, ...env }), testLogger(name)));
    };

    await subgraph('users', {
      JWT_PRIVATE_KEY: options.signingKeyPem ?? newSigningKeyPem(),
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      // Hundreds of sign-ins a run at OWASP's cost would take a minute of CPU; users' own tests check that cost.
      PASSWORD_HASH_COST: 'minimal-for-tests',
    });
    const usersUrl = { USERS_URL: urls.users };
    await subgraph('products', usersUrl);
    const productsTimeoutMs = options.productsTimeoutMs ?? 3_000;
    const orders = (await subgraph('orders', {
      ...usersUrl,
      PRODUCTS_URL: options.ordersToProducts ? await options.ordersToProducts(urls.products) : urls.products,
      PRODUCTS_TIMEOUT_MS: String(productsTimeoutMs),
      USERS_TIMEOUT_MS: '3000',
      PRODUCTS_BREAKER_RESET_MS: String(options.breakerResetMs ?? 1_000),
      PRODUCTS_BREAKER_ERROR_PERCENT: '50',
      PRODUCTS_BREAKER_MIN_CALLS: '3',
      RECONCILE_AFTER_MS: String(options.reconcileAfterMs ?? 30_000),
      RECONCILE_INTERVAL_MS: '0',
      ...options.ordersEnv,
    })) as () => OrdersService;

    const subgraphUrl = async (name: SubgraphName) => (options.gatewayToSubgraph ? options.gatewayToSubgraph(name, urls[name]) : urls[name]);
    const limits = options.rateLimits ?? {};
    const gatewayEnv: Env = {
      ...common,
      NODE_ENV: options.gatewayProduction ? 'production' : 'test',
      USERS_URL: await subgraphUrl('users'),
      PRODUCTS_URL: await subgraphUrl('products'),
      ORDERS_URL: await subgraphUrl('orders'),
      RATE_LIMIT_REQUESTS: String(limits.requests?.points ?? 1_000_000),
      RATE_LIMIT_WINDOW_SECONDS: String(limits.requests?.durationSeconds ?? 60),
      LOGIN_ADDRESS_RATE_LIMIT: String(limits.loginAddresses?.points ?? 1_000_000),
      LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS: String(limits.loginAddresses?.durationSeconds ?? 60),
      LOGIN_RATE_LIMIT: String(limits.logins?.points ?? 1_000_000),
      LOGIN_RATE_LIMIT_WINDOW_SECONDS: String(limits.logins?.durationSeconds ?? 60),
      LOGIN_ACCOUNT_RATE_LIMIT: String(limits.loginAccounts?.points ?? 1_000_000),
      LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: String(limits.loginAccounts?.durationSeconds ?? 60),
      REGISTER_RATE_LIMIT: String(limits.registrations?.points ?? 1_000_000),
      REGISTER_RATE_LIMIT_WINDOW_SECONDS: String(limits.registrations?.durationSeconds ?? 60),
      // Unique per stack: runs sharing one Redis never count each other's requests.
      RATE_LIMIT_KEY_PREFIX: `test-${randomUUID()}`,
      RESPONSE_CACHE_MB: '8',
      ENTITY_CACHE_MB: options.entityCacheMegabytes === undefined ? undefined : String(options.entityCacheMegabytes),
      CORS_ORIGINS: options.corsOrigins?.join(','),
      TRUSTED_PROXIES: options.trustedProxies === undefined ? undefined : String(options.trustedProxies),
      // Ended sessions learned within a second, so tests wait little for a refusal.
      SESSION_REVOCATIONS_POLL_SECONDS: '1',
      SUBGRAPH_TIMEOUT_MS: String(options.gatewayTimeoutMs ?? 10_000),
      SUBGRAPH_CONNECTIONS: '16',
      SUBGRAPH_BREAKER_ERROR_PERCENT: '50',
      SUBGRAPH_BREAKER_MIN_CALLS: '3',
      SUBGRAPH_BREAKER_RESET_MS: String(options.gatewayBreakerResetMs ?? 1_000),
      PERSISTED_DOCUMENTS_ONLY: String(options.persistedDocumentsOnly ?? false),
      ...Object.fromEntries(Object.entries(options.documentLimits ?? {}).map(([limit, value]) => [DOCUMENT_LIMIT_ENV[limit as keyof typeof DOCUMENT_LIMIT_ENV], String(value)])),
    };
    const gateway = await gatewayService.create(await gatewayService.loadConfig(gatewayEnv), testLogger('gateway'));
    const gatewayUrl = await gateway.listen(0, HOST);
    cleanups.push(() => gateway.stop());
    return {
      gatewayUrl,
      urls,
      dbs,
      statements,
      requests,
      productsBreakerState: () => orders().products.breakerState(),
      gatewayBreakerState: (name) => gateway.subgraphBreakerState(name),
      get reconciler() {
        return orders().reconciler;
      },
      stopSubgraph: (name) => running[name].stop(),
      startSubgraph: (name) => running[name].start(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
