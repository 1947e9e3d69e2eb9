import { commonEnv, databaseEnv, loadEnv, tokenEnv, usersUrlEnv } from '@shop/service-kit';

export function loadConfig(env: Record<string, string | undefined>) {
  return loadEnv({ ...commonEnv(4002), ...databaseEnv('products'), ...tokenEnv, ...usersUrlEnv }, env, (config) =>
    config.NODE_ENV === 'production' && config.SEED_DEMO_DATA ? ['SEED_DEMO_DATA: demo data is never seeded in production'] : [],
  );
}
