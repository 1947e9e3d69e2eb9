import { z } from 'zod';
import { commonEnv, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, databaseEnv, loadEnv, productionProblems, tokenEnv } from '@shop/service-kit';

/** What users reads from its environment: its schema, also read by the configuration reference (npm run docs:reference). */
export const usersEnv = {
  ...commonEnv(DEFAULT_PORTS.users, DEFAULT_METRICS_PORTS.users),
  ...databaseEnv('users'),
  ...tokenEnv,
  JWT_PRIVATE_KEY: z.string().optional(),
  // Short: an access token is checked by its signature alone at the subgraphs, so it is what a
  // stolen token is worth there (the gateway refuses an ended session's within 30 s).
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(3600).max(86_400 * 365).default(86_400 * 30),
  // Each running hash holds a core, a libuv thread (Node has 4 unless UV_THREADPOOL_SIZE says
  // otherwise) and 32 MiB; the rest of the service needs some of those too.
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  // A short wait (a fifth of a second a hash, CONCURRENCY at a time: 1.6 s at most by default);
  // past it, SERVICE_UNAVAILABLE at once.
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(1000).default(16),
  PASSWORD_HASH_COST: z.enum(['owasp', 'minimal-for-tests']).default('owasp'),
};

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    usersEnv,
    env,
    (config) => [
      ...(config.NODE_ENV === 'production' && !config.JWT_PRIVATE_KEY
        ? ['JWT_PRIVATE_KEY: required in production (an Ed25519 or P-256 private key in PEM)']
        : []),
      ...(config.PASSWORD_HASH_COST !== 'owasp' && config.NODE_ENV !== 'test'
        ? [`PASSWORD_HASH_COST: ${config.PASSWORD_HASH_COST} is for test suites only (NODE_ENV=test); leave it unset (owasp)`]
        : []),
      ...productionProblems(config),
    ],
  );
}

export type UsersConfig = ReturnType<typeof loadConfig>;
