import { commonEnv, databaseEnv, loadEnv, productionProblems, serviceCredentialEnv, tokenEnv, usersUrlEnv } from '@shop/service-kit';

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv(
    { ...commonEnv(4002), ...databaseEnv('products'), ...tokenEnv, ...usersUrlEnv, ...serviceCredentialEnv },
    env,
    productionProblems,
  );
}
