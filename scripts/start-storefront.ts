/**
 * `npm run start:storefront`: the storefront alone, for a gateway that already runs (`npm start`
 * serves it from its own launcher): built afresh (half a second) into a temporary folder, then
 * served at HOST:STOREFRONT_PORT with /config.json naming SHOP_GATEWAY_URL. SIGTERM or SIGINT
 * stops it, and the build goes with it.
 */
import { buildAndServeStorefront, STOREFRONT_PORT, type RunningStorefront } from './storefront.js';

const env = process.env;
const gatewayUrl = env.SHOP_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql';
const build = new AbortController();
const serving: { storefront?: RunningStorefront } = {};
// A signal while the build is being made ends it and the process; one after closes the server first.
const stop = () => {
  build.abort();
  void (serving.storefront?.close() ?? Promise.resolve()).finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
const started = Date.now();
const storefront = (serving.storefront = await buildAndServeStorefront({
  gatewayUrl,
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.STOREFRONT_PORT ?? STOREFRONT_PORT),
  signal: build.signal,
}));
console.log(`storefront at ${storefront.url}, built and served in ${Date.now() - started} ms, talking to ${gatewayUrl}`);
