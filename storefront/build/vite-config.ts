import { fileURLToPath } from 'node:url';
import { defaultClientConditions, type Plugin, type UserConfig } from 'vite';
import { runtimeConfigJson } from './serving.js';

/** The storefront's folder: the config is used from other working directories (npm start, the tests). */
export const STOREFRONT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface StorefrontOptions {
  /** The gateway's GraphQL endpoint the browser talks to, cross-origin (the gateway's CORS_ORIGINS must allow the storefront). */
  gatewayUrl: string;
  /** Where `vite build` writes; storefront/dist by default. */
  outDir?: string;
}

/** /config.json for Vite's dev server (`npm run dev -w storefront`). */
function runtimeConfig(gatewayUrl: string): Plugin {
  const body = runtimeConfigJson(gatewayUrl);
  return {
    name: 'shop-runtime-config',
    configureServer: (server) => {
      server.middlewares.use('/config.json', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(body);
      });
    },
  };
}

/** The whole Vite configuration, for vite.config.ts and for code that runs Vite through its API. */
export function storefrontConfig({ gatewayUrl, outDir }: StorefrontOptions): UserConfig {
  return {
    root: STOREFRONT_ROOT,
    // Served from wherever it is put: the same files work under any path.
    base: './',
    logLevel: 'warn',
    // The SDK's TypeScript sources (its `source` export condition), as the rest of the repository runs them: no SDK build needed first.
    resolve: { conditions: ['source', ...defaultClientConditions] },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    plugins: [runtimeConfig(gatewayUrl)],
    build: { outDir: outDir ?? 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  };
}
