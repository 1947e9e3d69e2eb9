import { subgraphLayout, type SubgraphServiceDefinition } from '@shop/service-kit/definitions';
import type { OrdersConfig } from './config.js';
import type { createOrdersService } from './server.js';

/**
 * The orders subgraph: placing orders, their status and cancellation. What it runs on is
 * imported only when it is needed, so reading this definition (`npm start`) loads no service.
 */
export const ordersService = {
  name: 'orders',
  ...subgraphLayout(import.meta.url),
  loadConfig: async (env) => (await import('./config.js')).loadConfig(env),
  seed: async (db, logger) => (await import('./seed.js')).seedDemoOrders(db, logger),
  async create(db, config, logger) {
    const [{ createOrdersService }, { createProductsClient }, { createAccountCheck }, { usersTokenVerifier }] = await Promise.all([
      import('./server.js'),
      import('./products-client.js'),
      import('./account-check.js'),
      import('@shop/service-kit'),
    ]);
    return createOrdersService({
      db,
      logger,
      verifyToken: usersTokenVerifier(config),
      sandbox: config.NODE_ENV !== 'production',
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      products: createProductsClient({
        url: config.PRODUCTS_URL,
        serviceCredential: config.SERVICE_CREDENTIAL,
        timeoutMs: config.PRODUCTS_TIMEOUT_MS,
        breaker: {
          resetTimeoutMs: config.PRODUCTS_BREAKER_RESET_MS,
          errorThresholdPercentage: config.PRODUCTS_BREAKER_ERROR_PERCENT,
          volumeThreshold: config.PRODUCTS_BREAKER_MIN_CALLS,
        },
        logger,
      }),
      accounts: createAccountCheck({ url: config.USERS_URL, timeoutMs: config.USERS_TIMEOUT_MS }),
      reconcileAfterMs: config.RECONCILE_AFTER_MS,
      paymentWindowMs: config.ORDER_PAYMENT_WINDOW_MINUTES * 60_000,
      maxOpenOrdersPerCustomer: config.MAX_OPEN_ORDERS_PER_CUSTOMER,
      // A first attempt takes at most a reserve and a release: two calls to products.
      waitForAttemptMs: 2 * config.PRODUCTS_TIMEOUT_MS,
      // 0: only when asked (another replica, or a test, runs it).
      ...(config.RECONCILE_INTERVAL_MS > 0 ? { reconcileIntervalMs: config.RECONCILE_INTERVAL_MS } : {}),
      ...(config.NATS_URL
        ? { eventRelay: { natsUrl: config.NATS_URL, stream: config.ORDER_EVENTS_STREAM, subjectPrefix: config.ORDER_EVENTS_SUBJECT_PREFIX, pollMs: config.ORDER_EVENTS_POLL_MS } }
        : {}),
      outboxPollMs: config.ORDER_EVENTS_POLL_MS,
      webhooks: {
        retrySchedule: config.WEBHOOK_RETRY_SCHEDULE,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        concurrency: config.WEBHOOK_CONCURRENCY,
        pollMs: config.WEBHOOK_POLL_MS,
        policy: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? config.NODE_ENV !== 'production' },
        consumer: config.WEBHOOK_CONSUMER,
      },
    });
  },
} satisfies SubgraphServiceDefinition<OrdersConfig, Awaited<ReturnType<typeof createOrdersService>>>;
