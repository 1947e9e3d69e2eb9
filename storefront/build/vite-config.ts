import { fileURLToPath } from 'node:url';
import { defaultClientConditions, type Connect, type Plugin, type UserConfig } from 'vite';

/** The storefront's folder: the config is used from other working directories (npm start, the tests). */
export const STOREFRONT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface StorefrontOptions {
  /** The gateway's GraphQL endpoint the browser talks to, cross-origin (the gateway's CORS_ORIGINS must allow the storefront). */
  gatewayUrl: string;
  /** Where `vite build` writes and `vite preview` serves from; storefront/dist by default. */
  outDir?: string;
}

/**
 * The Content-Security-Policy the storefront is served with (by `vite preview`, so by `npm start`
 * and the browser tests, and by the Docker image's nginx, whose template test/dockerfile.test.ts
 * compares with this): scripts, styles and images from its own origin only, requests to its own
 * origin (config.json) and to the gateway's endpoint only (the exact URL: CSP matches its path),
 * never framed.
 */
export function contentSecurityPolicy(gatewayUrl: string): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${gatewayUrl}`,
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * /config.json, read by the app at start: the same built files then serve any gateway (nginx
 * writes this file from its environment in the Docker image).
 */
function runtimeConfig(gatewayUrl: string): Plugin {
  const body = JSON.stringify({ gatewayUrl });
  const serve = (server: { middlewares: Connect.Server }) => {
    server.middlewares.use('/config.json', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      res.end(body);
    });
  };
  return { name: 'shop-runtime-config', configureServer: serve, configurePreviewServer: serve };
}

/** The whole Vite configuration, for vite.config.ts and for code that runs Vite through its API. */
export function storefrontConfig({ gatewayUrl, outDir }: StorefrontOptions): UserConfig {
  const headers = { 'content-security-policy': contentSecurityPolicy(gatewayUrl) };
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
    preview: { headers, strictPort: true },
  };
}
