import { freePort, startService, type RunningProcess } from '../../scripts/processes.js';
import { SUBGRAPH_SERVICES } from '../../scripts/services.js';
import { ROOT } from '../../scripts/root.js';
import { SERVICE_CREDENTIAL, type Stack } from './stack.js';

/**
 * orders as a process of its own (`npm run start:orders`), for tests that kill it: on `env`'s
 * database, reaching the stack's users and products (or `env`'s PRODUCTS_URL), on `port` when given
 * (a restart keeps its address); resolved once it listens.
 */
export async function startOrdersProcess(stack: Stack, env: Record<string, string>, port?: number): Promise<{ process: RunningProcess; url: string }> {
  const listening = port ?? (await freePort());
  const process = startService(SUBGRAPH_SERVICES.orders, { cwd: ROOT, env: {
    NODE_ENV: 'development',
    LOG_FORMAT: 'json',
    USERS_URL: stack.urls.users,
    PRODUCTS_URL: stack.urls.products,
    SERVICE_CREDENTIAL,
    RECONCILE_INTERVAL_MS: '0',
    ...env,
    PORT: String(listening),
  } });
  await process.waitFor(/"msg":"listening"/);
  return { process, url: `http://127.0.0.1:${listening}` };
}
