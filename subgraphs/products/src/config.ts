import { commonEnv, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, databaseEnv, loadEnv, productionProblems, serviceCredentialEnv, tokenEnv, usersUrlEnv } from '@shop/service-kit';

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    { ...commonEnv(DEFAULT_PORTS.products, DEFAULT_METRICS_PORTS.products), ...databaseEnv('products'), ...tokenEnv, ...usersUrlEnv, ...serviceCredentialEnv },
    env,
    productionProblems,
  );
}
export type ProductsConfig = ReturnType<typeof loadConfig>;
