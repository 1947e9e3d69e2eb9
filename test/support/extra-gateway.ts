import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The supergraph the shop's gateway serves (composed from the three subgraphs, committed). */
const SHOP_SUPERGRAPH = new URL('../../supergraph.graphql', import.meta.url);

/**
 * An extra gateway (startExtraGateway) serving its own copy of the shop's supergraph, a file the
 * caller controls: `serveAgain()` rewrites it with a harmless change (a comment, so another hash,
 * as a composition of the same subgraphs by a newer composer would be) and resolves once the
 * gateway serves it. `stop` stops the gateway and removes the copy.
 */
export async function startGatewayOnOwnSupergraph(stack: Pick<Stack, 'urls'>, name: string, env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const supergraphPath = join(dir, 'supergraph.graphql');
  const removeCopy = () => rm(dir, { recursive: true, force: true });
  try {
    const supergraph = await readFile(SHOP_SUPERGRAPH, 'utf8');
    await writeFile(supergraphPath, supergraph);
    const { gateway, url } = await startExtraGateway(stack, name, { ...env, SUPERGRAPH_PATH: supergraphPath });
    let served = 0;
    return {
      gateway,
      url,
      async serveAgain() {
        served += 1;
        await writeFile(supergraphPath, `${supergraph}\n# served again (${served})\n`);
        // The gateway also sees the file change on its own; asked now, it reloads before this resolves.
        await gateway.reloadSupergraph();
      },
      async stop() {
        await gateway.stop();
        await removeCopy();
      },
    };
  } catch (error) {
    await removeCopy();
    throw error;
  }
}
