import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tracingSettings } from '@shop/service-kit/tracing';
import { SUBGRAPH_NAMES, type ServiceName } from '@shop/service-kit/definitions';
import { ROOT } from '../scripts/root.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';
import { newSigningKeyPem } from './support/tokens.js';

interface ComposeService {
  image?: string;
  build?: { target?: string };
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
}

/** What an operator exports before `docker compose up` (the README's two secrets). */
const OPERATOR_ENV: Record<string, string> = { JWT_PRIVATE_KEY: newSigningKeyPem().replaceAll('\n', '\\n'), SERVICE_CREDENTIAL: 'c'.repeat(64) };

/** Compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?message}`, from OPERATOR_ENV. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_whole, name: string, kind?: string, rest?: string) => {
    const set = OPERATOR_ENV[name];
    if (set !== undefined) return set;
    if (kind === '-') return rest ?? '';
    throw new Error(`${name} is required: ${rest ?? ''}`);
  });
}

const SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const satisfies readonly ServiceName[];
const definitionOf = (name: ServiceName) => (name === 'gateway' ? gatewayService : SUBGRAPH_SERVICES[name]);

/**
 * docker-compose.yml cannot be run here (no Docker engine), so what it gives each service is
 * checked as the services themselves would check it: every variable through the service's own
 * configuration, tracing through its OTEL settings, and Prometheus's targets against the ports
 * the services serve metrics on.
 */
describe('docker-compose.yml', async () => {
  const compose = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  const environmentOf = (name: string) =>
    Object.fromEntries(Object.entries(compose.services[name]?.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]));

  it('gives each service an environment its own configuration accepts, in production', async () => {
    for (const name of SERVICES) {
      const env = environmentOf(name);
      expect(env.NODE_ENV, name).toBe('production');
      await expect(definitionOf(name).loadConfig(env), name).resolves.toBeDefined();
    }
  });

  it('traces every service to the Jaeger it runs, over OTLP/HTTP', () => {
    const jaeger = compose.services.jaeger!;
    expect(jaeger.image).toMatch(/jaegertracing\/jaeger:2\./);
    expect(jaeger.ports).toContain('127.0.0.1:16686:16686');
    for (const name of SERVICES) {
      const settings = tracingSettings(environmentOf(name));
      expect(settings.enabled, name).toBe(true);
      expect(settings.OTEL_TRACES_EXPORTER).toEqual(['otlp']);
      // Jaeger takes OTLP/HTTP on 4318 on the compose network.
      expect(new URL(settings.OTEL_EXPORTER_OTLP_ENDPOINT!).host).toBe('jaeger:4318');
    }
  });

  it("has Prometheus scrape every service on the metrics port that service's configuration gives it", async () => {
    const prometheus = compose.services.prometheus!;
    const mounted = prometheus.volumes?.find((volume) => volume.endsWith(':/etc/prometheus/prometheus.yml:ro'));
    expect(mounted).toBeDefined();
    const config = parse(await readFile(join(ROOT, mounted!.split(':')[0]!), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets)).sort();
    const expected = await Promise.all(SERVICES.map(async (name) => `${name}:${(await definitionOf(name).loadConfig(environmentOf(name))).METRICS_PORT}`));
    expect(targets).toEqual(expected.sort());
  });
});
