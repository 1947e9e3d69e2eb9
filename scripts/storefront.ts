import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import sirv from 'sirv';
import { pageHeaders, runtimeConfigJson } from '../storefront/build/serving.js';
import { ROOT } from './root.js';

/** The storefront's default port (STOREFRONT_PORT overrides it in `npm start`). */
export const STOREFRONT_PORT = 4080;

export interface RunningStorefront {
  /** Where a browser opens it, such as http://127.0.0.1:4080/ */
  url: string;
  close(): Promise<void>;
}

// Its path only: this module is imported by `npm start`'s launcher, which serves the storefront and must not load Vite.
const VITE = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');

/**
 * `vite build` of the storefront into `outDir` (storefront/vite.config.ts): static files that any
 * gateway can be served beside (config.json names one). Vite's own command in a process of its
 * own, which takes the bundler's memory (~250 MB) with it when it ends. `signal` ends a build in
 * progress (its process with it).
 */
export async function buildStorefront(outDir: string, signal?: AbortSignal): Promise<void> {
  await promisify(execFile)(process.execPath, [VITE, 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: join(ROOT, 'storefront'),
    env: { ...process.env, NODE_ENV: 'production' },
    ...(signal ? { signal } : {}),
  });
}

/**
 * The storefront as `npm start` runs it: built afresh into a temporary folder, so it never serves
 * a stale or half-written build, then served (serveStorefront) in this process. The folder goes
 * when it is closed, when the build fails, and on any way out of the process; `signal` ends a
 * build in progress.
 */
export async function buildAndServeStorefront(options: { gatewayUrl: string; host: string; port: number; signal?: AbortSignal }): Promise<RunningStorefront> {
  const outDir = await mkdtemp(join(tmpdir(), 'shop-storefront-'));
  const removeBuild = () => rmSync(outDir, { recursive: true, force: true });
  // 'exit' handlers run on process.exit() too: a signal handler that exits leaves no build behind.
  process.once('exit', removeBuild);
  const forget = () => {
    process.off('exit', removeBuild);
    removeBuild();
  };
  try {
    await buildStorefront(outDir, options.signal);
    const served = await serveStorefront({ gatewayUrl: options.gatewayUrl, outDir, host: options.host, port: options.port });
    return { url: served.url, close: () => served.close().finally(forget) };
  } catch (error) {
    forget();
    throw error;
  }
}

/**
 * Serves a built storefront as it runs in production: its files (sirv: types, ETags, ranges),
 * /config.json naming `gatewayUrl`, the pages' Content-Security-Policy, and caching as the
 * Docker image's nginx does (storefront/nginx/default.conf.template). Pages live in the URL's
 * hash, so there is no fallback route: a missing file is a 404.
 */
export async function serveStorefront(options: { gatewayUrl: string; outDir: string; host: string; port: number }): Promise<RunningStorefront> {
  const headers = pageHeaders(options.gatewayUrl);
  const configJson = runtimeConfigJson(options.gatewayUrl);
  const files = sirv(options.outDir, {
    etag: true,
    setHeaders: (res, pathname) => {
      res.setHeader('x-content-type-options', 'nosniff');
      // Built assets are named by their content; index.html names the current ones.
      if (pathname.startsWith('/assets/')) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else {
        res.setHeader('cache-control', 'no-cache');
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      }
    },
  });
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://storefront').pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(configJson);
      return;
    }
    files(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections open; a stop does not wait for them to go idle.
        server.closeAllConnections();
      }),
  };
}
