import type { AddressInfo } from 'node:net';
import { build, preview } from 'vite';
import { storefrontConfig, type StorefrontOptions } from '../storefront/build/vite-config.js';

/** The storefront's default port (STOREFRONT_PORT overrides it in `npm start`). */
export const STOREFRONT_PORT = 4080;

export interface RunningStorefront {
  /** Where a browser opens it, such as http://127.0.0.1:4080/ */
  url: string;
  close(): Promise<void>;
}

/** `vite build` of the storefront into `outDir`: static files that any gateway can be served beside (its config.json names one). */
export async function buildStorefront(outDir: string): Promise<void> {
  // The gateway named here only affects what the dev and preview servers serve, not the files built.
  await build({ configFile: false, ...storefrontConfig({ gatewayUrl: 'http://127.0.0.1/graphql', outDir }) });
}

/**
 * Serves a built storefront as it runs in production: its files, /config.json naming `gatewayUrl`,
 * and the Content-Security-Policy (Vite's preview server, so no server of our own to maintain).
 */
export async function serveStorefront(options: Required<StorefrontOptions> & { host: string; port: number }): Promise<RunningStorefront> {
  const config = storefrontConfig(options);
  const server = await preview({ configFile: false, ...config, preview: { ...config.preview, host: options.host, port: options.port, open: false } });
  const { port } = server.httpServer.address() as AddressInfo;
  return { url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/`, close: () => server.close() };
}
