import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { enableRuntimeMetrics, metricsRegistry } from './metrics.js';
import type { BaseServiceConfig, ServiceName } from './service-definition.js';

export interface MetricsServer {
  /** Base URL (`http://host:port`); the metrics are at `/metrics`. */
  readonly url: string;
  /** Stops listening and closes idle scrapers' keep-alive connections. */
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry?: Registry;
  logger: Pick<Logger, 'error'>;
}

/**
 * A plain HTTP server apart from the public one, answering only GET /metrics with `registry` in
 * Prometheus's text format (404 for anything else): the port can stay closed to clients while
 * Prometheus reaches it, and a scrape never waits behind GraphQL's middleware or rate limits.
 */
export function startMetricsServer({ host, port, registry = metricsRegistry, logger }: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && !req.url?.startsWith('/metrics?'))) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Collecting metrics failed\n');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`,
        close: () =>
          new Promise<void>((closed, failed) => {
            server.close((error) => (error ? failed(error) : closed()));
            // Prometheus keeps its connection alive between scrapes; it must not hold shutdown up.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * A service's metrics at METRICS_PORT on its HOST, every series labelled `service="<name>"` and
 * with Node's runtime metrics; nothing at all when METRICS_PORT is 0.
 */
export async function serveMetrics(
  service: ServiceName,
  config: Pick<BaseServiceConfig, 'HOST' | 'METRICS_PORT'>,
  logger: Pick<Logger, 'info' | 'error'>,
): Promise<MetricsServer | undefined> {
  if (config.METRICS_PORT === 0) return undefined;
  metricsRegistry.setDefaultLabels({ service });
  enableRuntimeMetrics();
  const server = await startMetricsServer({ host: config.HOST, port: config.METRICS_PORT, logger });
  logger.info({ url: `${server.url}/metrics` }, 'serving metrics');
  return server;
}
