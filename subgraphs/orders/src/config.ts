import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from './webhook-retry.js';
import { commonEnv, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, defaultUrl, databaseEnv, loadEnv, productionProblems, serviceCredentialEnv, tokenEnv, urlEnv, usersUrlEnv } from '@shop/service-kit';

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** 30 days: stock held longer than that by an unpaid order is not a payment window. */
const MAX_PAYMENT_WINDOW_MINUTES = 30 * 24 * 60;

/** What orders reads from its environment: its schema, also read by the configuration reference (npm run docs:reference). */
export const ordersEnv = {
  ...commonEnv(DEFAULT_PORTS.orders, DEFAULT_METRICS_PORTS.orders),
  ...databaseEnv('orders'),
  ...tokenEnv,
  ...usersUrlEnv,
  ...serviceCredentialEnv,
  PRODUCTS_URL: urlEnv(defaultUrl('products')),
  PRODUCTS_TIMEOUT_MS: milliseconds(3_000),
  USERS_TIMEOUT_MS: milliseconds(3_000),
  PRODUCTS_BREAKER_RESET_MS: milliseconds(10_000),
  PRODUCTS_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  PRODUCTS_BREAKER_MIN_CALLS: z.coerce.number().int().min(1).default(5),
  // 0: never in the background, only when asked (a test, or a replica that leaves it to another).
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(15_000),
  RECONCILE_AFTER_MS: milliseconds(30_000),
  // An unpaid PENDING order holds its stock this long, then the reconciler cancels it and gives the stock back.
  ORDER_PAYMENT_WINDOW_MINUTES: z.coerce.number().int().min(1).max(MAX_PAYMENT_WINDOW_MINUTES).default(30),
  // Open orders (being placed or PENDING) one customer may have at once: stock one account can hold.
  MAX_OPEN_ORDERS_PER_CUSTOMER: z.coerce.number().int().min(1).max(1_000_000).default(20),
  // NATS JetStream for order events; unset: they wait in the outbox (order_events).
  NATS_URL: z.url({ protocol: /^(nats|tls)$/ }).optional(),
  ORDER_EVENTS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/).default('ORDERS'),
  ORDER_EVENTS_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/).default('orders'),
  ORDER_EVENTS_POLL_MS: milliseconds(500),
  // Webhooks: the delays between attempts of a failing delivery, then it is dead (FAILED).
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_RETRY_SCHEDULE)
    .transform((text, context) => {
      try {
        return parseRetrySchedule(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  WEBHOOK_TIMEOUT_MS: milliseconds(15_000),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  WEBHOOK_POLL_MS: milliseconds(1_000),
  // Loopback and private addresses over http: a laptop's receiver. Unset: on except in production.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.stringbool().optional(),
  WEBHOOK_CONSUMER: z.string().regex(/^[A-Za-z0-9_-]+$/).default('orders-webhooks'),
};

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    ordersEnv,
    env,
    (config) => [
      ...productionProblems(config),
      ...(config.NODE_ENV === 'production' && config.WEBHOOK_ALLOW_PRIVATE_TARGETS
        ? ['WEBHOOK_ALLOW_PRIVATE_TARGETS: never in production (webhooks could then reach the internal network)']
        : []),
      // A placing call must be over (answered or timed out) before the reconciler may judge it dead.
      ...(config.RECONCILE_AFTER_MS <= 2 * config.PRODUCTS_TIMEOUT_MS
        ? ['RECONCILE_AFTER_MS: must be more than twice PRODUCTS_TIMEOUT_MS']
        : []),
    ],
  );
}

export type OrdersConfig = ReturnType<typeof loadConfig>;
