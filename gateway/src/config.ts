import { z } from 'zod';
import { commonEnv, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, defaultUrl, loadEnv, tokenEnv, urlEnv, usersUrlEnv } from '@shop/service-kit';
import { DEFAULT_LIMITS } from './document-limits.js';

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A comma-separated list; empty entries dropped. */
const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    {
      ...commonEnv(DEFAULT_PORTS.gateway, DEFAULT_METRICS_PORTS.gateway),
      ...tokenEnv,
      ...usersUrlEnv,
      PRODUCTS_URL: urlEnv(defaultUrl('products')),
      ORDERS_URL: urlEnv(defaultUrl('orders')),
      SUPERGRAPH_PATH: z.string().min(1).optional(),
      SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
      SUBGRAPH_CONNECTIONS: z.coerce.number().int().positive().default(128),
      SUBGRAPH_DEDUPLICATION: z.stringbool().default(true),
      SUBGRAPH_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
      SUBGRAPH_BREAKER_MIN_CALLS: z.coerce.number().int().min(1).default(5),
      SUBGRAPH_BREAKER_RESET_MS: z.coerce.number().int().positive().default(10_000),
      // Memory for whole answers to anonymous catalogue queries; 0 turns the response cache off.
      RESPONSE_CACHE_MB: z.coerce.number().int().min(0).default(32),
      MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
      PERSISTED_DOCUMENTS_PATH: z.string().min(1).optional(),
      PERSISTED_DOCUMENTS_ONLY: z.stringbool().default(false),
      MAX_DEPTH: count(DEFAULT_LIMITS.maxDepth),
      MAX_ALIASES: count(DEFAULT_LIMITS.maxAliases),
      MAX_DIRECTIVES: count(DEFAULT_LIMITS.maxDirectives),
      MAX_TOKENS: count(DEFAULT_LIMITS.maxTokens),
      MAX_COST: count(DEFAULT_LIMITS.maxCost),
      RATE_LIMIT_REQUESTS: count(600),
      RATE_LIMIT_WINDOW_SECONDS: count(60),
      LOGIN_RATE_LIMIT: count(10),
      LOGIN_RATE_LIMIT_WINDOW_SECONDS: count(300),
      // Where the counters live in Redis: gateways of different shops sharing one Redis each take their own.
      RATE_LIMIT_KEY_PREFIX: z.string().min(1).default('shop-gateway'),
      REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
      // Express's "trust proxy": a hop count, or addresses / CIDRs / loopback, linklocal, uniquelocal.
      TRUSTED_PROXIES: list.default([]),
      // Browser origins allowed to call /graphql; unset: any in development, none in production.
      CORS_ORIGINS: list.optional(),
    },
    env,
  );
}

export type GatewayConfig = ReturnType<typeof loadConfig>;
