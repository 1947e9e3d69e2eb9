import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { parseScrape } from '../../test/support/prometheus.js';
import { serveMetrics, startMetricsServer, type MetricsServer } from '../src/metrics-server.js';
import { metricsRegistry } from '../src/metrics.js';

const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

/** A port nothing listens on: bound once to learn a free one, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the metrics server', () => {
  const started: MetricsServer[] = [];
  const start = async (registry: Registry) => {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, logger });
    started.push(server);
    return server;
  };
  afterEach(async () => {
    for (const server of started.splice(0)) await server.close();
    logLines.length = 0;
  });

  it("answers GET /metrics with the registry in Prometheus's text format and content type", async () => {
    const registry = new Registry();
    new Counter({ name: 'things_total', help: 'Things', labelNames: ['kind'], registers: [registry] }).inc({ kind: 'teapot' }, 3);
    const server = await start(registry);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parseScrape(await response.text()).value('things_total', { kind: 'teapot' })).toBe(3);
  });

  it('answers 404 to any other path or method', async () => {
    const server = await start(new Registry());
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/graphql`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics/extra`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST', body: '' })).status).toBe(404);
    expect((await fetch(`${server.url}/metrics?name[]=things_total`)).status).toBe(200);
  });

  it('answers 500 and logs when collecting fails', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'broken',
      help: 'A gauge whose collect throws',
      registers: [registry],
      collect() {
        throw new Error('cannot read');
      },
    });
    const server = await start(registry);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(500);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'collecting metrics failed' }));
  });

  it("closes while a scraper holds a keep-alive connection open (Prometheus's habit)", async () => {
    const server = await start(new Registry());
    const { hostname, port } = new URL(server.url);
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request({ hostname, port, path: '/metrics', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    await started.splice(0)[0]!.close();
    agent.destroy();
  });
});

describe('serveMetrics', () => {
  afterEach(() => {
    logLines.length = 0;
  });

  it('starts no metrics server when METRICS_PORT is 0', async () => {
    await expect(serveMetrics('users', { HOST: '127.0.0.1', METRICS_PORT: 0 }, logger)).resolves.toBeUndefined();
    expect(logLines).toEqual([]);
  });

  it("serves the process's registry on HOST:METRICS_PORT, every series labelled with the service, with Node's runtime metrics", async () => {
    const port = await freePort();
    const server = (await serveMetrics('products', { HOST: '127.0.0.1', METRICS_PORT: port }, logger))!;
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect(logLines).toContainEqual(expect.objectContaining({ msg: 'serving metrics', url: `http://127.0.0.1:${port}/metrics` }));
      const metrics = parseScrape(await (await fetch(`${server.url}/metrics`)).text());
      expect(metrics.value('nodejs_heap_size_used_bytes', { service: 'products' })).toBeGreaterThan(0);
      expect(metrics.type('nodejs_eventloop_lag_seconds')).toBe('GAUGE');
    } finally {
      await server.close();
      // This test process's registry is shared with other tests: leave no service label behind.
      metricsRegistry.setDefaultLabels({});
    }
  });
});
