import { z } from 'zod';
import { commonEnv, loadEnv, tokenEnv, urlEnv, usersUrlEnv } from '@shop/service-kit';

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    {
      ...commonEnv(4000),
      ...tokenEnv,
      ...usersUrlEnv,
      PRODUCTS_URL: urlEnv('http://127.0.0.1:4002'),
      ORDERS_URL: urlEnv('http://127.0.0.1:4003'),
      SUPERGRAPH_PATH: z.string().min(1).optional(),
      SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
      SUBGRAPH_CONNECTIONS: z.coerce.number().int().positive().default(128),
      SUBGRAPH_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
      SUBGRAPH_BREAKER_MIN_CALLS: z.coerce.number().int().min(1).default(5),
      SUBGRAPH_BREAKER_RESET_MS: z.coerce.number().int().positive().default(10_000),
      MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
      PERSISTED_DOCUMENTS_PATH: z.string().min(1).optional(),
      PERSISTED_DOCUMENTS_ONLY: z.stringbool().default(false),
    },
    env,
  );
}

export type GatewayConfig = ReturnType<typeof loadConfig>;
