import { z } from 'zod';
import { commonEnv, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, databaseEnv, loadEnv, productionProblems, tokenEnv } from '@shop/service-kit';

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    {
      ...commonEnv(DEFAULT_PORTS.users, DEFAULT_METRICS_PORTS.users),
      ...databaseEnv('users'),
      ...tokenEnv,
      JWT_PRIVATE_KEY: z.string().optional(),
      // Short: an access token is checked by its signature alone at the subgraphs, so it is what a
      // stolen token is worth there (the gateway refuses an ended session's within 30 s).
      ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
      REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(3600).max(86_400 * 365).default(86_400 * 30),
    },
    env,
    (config) => [
      ...(config.NODE_ENV === 'production' && !config.JWT_PRIVATE_KEY
        ? ['JWT_PRIVATE_KEY: required in production (an Ed25519 or P-256 private key in PEM)']
        : []),
      ...productionProblems(config),
    ],
  );
}

export type UsersConfig = ReturnType<typeof loadConfig>;
