/**
 * The storefront as `npm start` runs it, in a process of its own: built afresh (half a second)
 * into a temporary folder, so it never serves a stale or half-written build, then served at
 * HOST:STOREFRONT_PORT with /config.json naming SHOP_GATEWAY_URL. SIGTERM or SIGINT stops it, and
 * the build goes with it.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStorefront, serveStorefront, STOREFRONT_PORT, type RunningStorefront } from './storefront.js';

const env = process.env;
const gatewayUrl = env.SHOP_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql';
const outDir = await mkdtemp(join(tmpdir(), 'shop-storefront-'));
// The build goes on every way out; a signal that comes while it is being made ends the process
// (an 'exit' event, unlike the signal's default), and one after closes the server first.
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
const serving: { storefront?: RunningStorefront } = {};
const stop = () => void (serving.storefront?.close() ?? Promise.resolve()).finally(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
const started = Date.now();
await buildStorefront(outDir);
const storefront = (serving.storefront = await serveStorefront({ gatewayUrl, outDir, host: env.HOST ?? '127.0.0.1', port: Number(env.STOREFRONT_PORT ?? STOREFRONT_PORT) }));
console.log(`storefront at ${storefront.url}, built and served in ${Date.now() - started} ms, talking to ${gatewayUrl}`);
