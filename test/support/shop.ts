import { startStack, type Stack, type StackOptions } from './stack.js';
import { ADMIN, ALICE, login } from './graphql.js';
import { startSubgraphProxy } from './subgraph-proxy.js';

/** The running supergraph with the demo customer and admin signed in. */
export async function startShop(options?: StackOptions): Promise<{ stack: Stack; alice: string; admin: string }> {
  const stack = await startStack(options);
  try {
    return {
      stack,
      alice: await login(stack.gatewayUrl, ALICE.email, ALICE.password),
      admin: await login(stack.gatewayUrl, ADMIN.email, ADMIN.password),
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

export type SubgraphProxy = Awaited<ReturnType<typeof startSubgraphProxy>>;

/**
 * The shop with the gateway's route to products through a proxy (orders still reaches products
 * directly), so a test can count, slow down or break the gateway's calls to products.
 * `stop` stops the proxy and the shop.
 */
export async function startShopWithProductsProxy(options: StackOptions = {}) {
  let proxy: SubgraphProxy | undefined;
  try {
    const shop = await startShop({
      ...options,
      gatewayToSubgraph: async (name, url) => {
        if (name !== 'products') return url;
        proxy = await startSubgraphProxy(url);
        return proxy.url;
      },
    });
    const productsProxy = proxy!;
    return {
      ...shop,
      proxy: productsProxy,
      async stop() {
        await productsProxy.close();
        await shop.stack.stop();
      },
    };
  } catch (error) {
    await proxy?.close();
    throw error;
  }
}
