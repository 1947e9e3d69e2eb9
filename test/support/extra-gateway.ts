import { gatewayService } from '../../scripts/services.js';
import type { Stack } from './stack.js';
import { testLogger } from './logger.js';

/**
 * One more gateway in this process on a running stack's subgraphs (another replica, or one
 * configured otherwise by `env`), on a free loopback port; the caller stops it. Its rate limits
 * are out of the way, as the stack's own gateway's are.
 */
export async function startExtraGateway(stack: Pick<Stack, 'urls'>, name: string, env: Record<string, string> = {}) {
  const config = await gatewayService.loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    USERS_URL: stack.urls.users,
    PRODUCTS_URL: stack.urls.products,
    ORDERS_URL: stack.urls.orders,
    RATE_LIMIT_REQUESTS: '1000000',
    REGISTER_RATE_LIMIT: '1000000',
    ...env,
  });
  const gateway = await gatewayService.create(config, testLogger(name));
  return { gateway, url: await gateway.listen(0, '127.0.0.1') };
}
