import { commonEnv, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, databaseEnv, loadEnv, productionProblems, serviceCredentialEnv, tokenEnv, usersUrlEnv } from '@shop/service-kit';

/** What products reads from its environment: its schema, also read by the configuration reference (npm run docs:reference). */
export const productsEnv = { ...commonEnv(DEFAULT_PORTS.products, DEFAULT_METRICS_PORTS.products), ...databaseEnv('products'), ...tokenEnv, ...usersUrlEnv, ...serviceCredentialEnv };

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    productsEnv,
    env,
    productionProblems,
  );
}
export type ProductsConfig = ReturnType<typeof loadConfig>;
