/**
 * The storefront as `npm start` runs it, in a process of its own: built afresh (half a second)
 * into a temporary folder, so it never serves a stale or half-written build, then served at
 * HOST:STOREFRONT_PORT with /config.json naming SHOP_GATEWAY_URL. SIGTERM or SIGINT stops it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStorefront, serveStorefront, STOREFRONT_PORT } from './storefront.js';

const env = process.env;
const gatewayUrl = env.SHOP_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql';
const outDir = await mkdtemp(join(tmpdir(), 'shop-storefront-'));
const started = Date.now();
try {
  await buildStorefront(outDir);
  const storefront = await serveStorefront({ gatewayUrl, outDir, host: env.HOST ?? '127.0.0.1', port: Number(env.STOREFRONT_PORT ?? STOREFRONT_PORT) });
  console.log(`storefront at ${storefront.url}, built and served in ${Date.now() - started} ms, talking to ${gatewayUrl}`);
  const stop = () => {
    void storefront
      .close()
      .finally(() => rm(outDir, { recursive: true, force: true }))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  await rm(outDir, { recursive: true, force: true });
  throw error;
}
