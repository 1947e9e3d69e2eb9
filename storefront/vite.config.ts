import { defineConfig } from 'vite';
import { storefrontConfig } from './build/vite-config.js';

// `npm run dev|build|preview -w storefront`: the gateway of `npm start` unless SHOP_GATEWAY_URL names another.
export default defineConfig(storefrontConfig({ gatewayUrl: process.env.SHOP_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql' }));
