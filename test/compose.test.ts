import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tracingSettings } from '@shop/service-kit/tracing';
import { SUBGRAPH_NAMES, type ServiceName } from '@shop/service-kit/definitions';
import { ROOT } from '../scripts/root.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';
import { type Image, imageOf, probe, readDockerfile } from './support/dockerfile.js';
import { newSigningKeyPem } from './support/tokens.js';

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition: string }>;
  ports?: (string | number | { target: number | string })[];
  volumes?: string[];
}

/** What an operator exports before `docker compose up` (docs/run/deploying.md's two secrets). */
const OPERATOR_ENV: Record<string, string> = { JWT_PRIVATE_KEY: newSigningKeyPem().replaceAll('\n', '\\n'), SERVICE_CREDENTIAL: 'c'.repeat(64) };

/**
 * Compose's interpolation of `$$`, `${NAME}`, `${NAME:-default}` and `${NAME:?message}` from
 * OPERATOR_ENV. A variable the operator does not set and the file gives no default is an error
 * here: compose would pass an empty string on with only a warning.
 */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (whole, name?: string, kind?: string, rest?: string) => {
    if (whole === '$$') return '$';
    const set = OPERATOR_ENV[name!];
    if (set !== undefined) return set;
    if (kind === '-') return rest ?? '';
    throw new Error(`${name!} is required: ${rest ?? ''}`);
  });
}
/** Every string in the document interpolated, as compose does before it validates the file. */
const interpolated = (value: unknown): unknown =>
  typeof value === 'string'
    ? interpolate(value)
    : Array.isArray(value)
      ? value.map(interpolated)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolated(item)]))
        : value;

/** The Compose Specification's own JSON schema (compose-spec/compose-spec), as dclint ships it. */
function composeSpecSchema(): { title: string; $schema: string } {
  const dclint = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));
  return JSON.parse(readFileSync(join(dclint, 'schemas/compose.schema.json'), 'utf8')) as { title: string; $schema: string };
}

const SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const satisfies readonly ServiceName[];
const isService = (name: string): name is ServiceName => (SERVICES as readonly string[]).includes(name);
const definitionOf = (name: ServiceName) => (name === 'gateway' ? gatewayService : SUBGRAPH_SERVICES[name]);
const POSTGRES_PORT = 5432;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is checked as Compose and the
 * services would read it: against the Compose Specification's schema, each service's container
 * environment (its image's ENV from the Dockerfile, then compose's `environment`) through the
 * service's own configuration, its published ports, healthcheck and dependencies against the port
 * that configuration listens on, the URLs between services against compose's service names, tracing
 * through the OTEL settings, and Prometheus's targets against the ports the services serve metrics on.
 */
describe('docker-compose.yml', async () => {
  // Merge keys resolved (`<<: *service`), as Compose reads the file.
  const document = interpolated(parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }));
  const compose = document as { services: Record<string, ComposeService> };
  const dockerfile = readDockerfile();
  const serviceNamed = (name: string) => {
    const service = compose.services[name];
    if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
    return service;
  };
  const imageOfService = (name: string): Image | undefined => {
    const { build } = serviceNamed(name);
    return build && imageOf(dockerfile, build.target!, build.args);
  };
  const composeEnvironmentOf = (name: string) => Object.fromEntries(Object.entries(serviceNamed(name).environment ?? {}).map(([key, value]) => [key, String(value)]));
  /** What the service's process sees: its image's ENV, then what compose sets. */
  const environmentOf = (name: ServiceName) => ({ ...imageOfService(name)?.env, ...composeEnvironmentOf(name) });
  const configOf = async (name: ServiceName) => definitionOf(name).loadConfig(environmentOf(name));
  const portOf = async (name: ServiceName) => (await configOf(name)).PORT;

  it('is a valid Compose file by the Compose Specification’s JSON schema', () => {
    const schema = composeSpecSchema();
    expect(schema.title).toBe('Compose Specification');
    // Upstream names draft-07 by its https address; Ajv knows it by its http one. The schema uses
    // type unions, which Ajv's strict mode otherwise only tolerates with a warning per use.
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
    const draft07 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as object;
    ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
    const validate = ajv.compile(schema);
    validate(document);
    expect(validate.errors ?? []).toEqual([]);
    // And it does reject what Compose rejects.
    validate({ services: { gateway: { ...compose.services.gateway, build: { ...compose.services.gateway?.build, targett: 'gateway' } } } });
    expect(validate.errors?.map((error) => error.instancePath)).toContain('/services/gateway/build');
  });

  it('builds each service from a Dockerfile stage that exists, giving every build argument it needs', () => {
    for (const name of SERVICES) {
      const { build } = serviceNamed(name);
      expect(build, name).toMatchObject({ context: '.', target: expect.any(String) });
      expect(build!.dockerfile ?? 'Dockerfile', name).toBe('Dockerfile');
      expect(dockerfile.stages.map((stage) => stage.name), name).toContain(build!.target);
      const image = imageOfService(name)!;
      const given = Object.keys(build!.args ?? {});
      const required = [...image.declaredArgs].filter(([, fallback]) => fallback === undefined).map(([arg]) => arg);
      expect(given, `${name}: build.args`).toEqual(expect.arrayContaining(required));
      for (const arg of given) expect([...image.declaredArgs.keys(), ...Object.keys(dockerfile.globalArgs)], `${name}: build.args.${arg}`).toContain(arg);
      // The image runs this service, not another one.
      expect(image.workdir, name).toBe(name === 'gateway' ? '/app/gateway' : `/app/subgraphs/${name}`);
    }
  });

  it('gives each service an environment its own configuration accepts, in production', async () => {
    for (const name of SERVICES) {
      const env = environmentOf(name);
      expect(env.NODE_ENV, name).toBe('production');
      await expect(definitionOf(name).loadConfig(env), name).resolves.toBeDefined();
    }
  });

  it('publishes only the port each service listens on', async () => {
    const published: string[] = [];
    for (const name of SERVICES) {
      for (const port of serviceNamed(name).ports ?? []) {
        // "[host_ip:]host_port:container_port[/protocol]", a bare container port, or the long form.
        const target = typeof port === 'object' ? String(port.target) : String(port).split(':').at(-1)!.split('/')[0];
        expect(target, `${name}: ${JSON.stringify(port)}`).toBe(String(await portOf(name)));
        published.push(name);
      }
    }
    expect(published).toContain('gateway');
  });

  it('checks each service’s health by GET /health on the port it listens on', async () => {
    await Promise.all(
      SERVICES.map(async (name) => {
        // Compose's own healthcheck would replace the image's; these services use the image's.
        expect(serviceNamed(name).healthcheck, name).toBeUndefined();
        const result = await probe(imageOfService(name)!, environmentOf(name), 200);
        expect(result, name).toMatchObject({ exitCode: 0, urls: [`http://127.0.0.1:${await portOf(name)}/health`] });
      }),
    );
  });

  it('waits for a dependency to be healthy only where something checks its health', () => {
    const hasHealthcheck = (name: string) => {
      const { healthcheck } = serviceNamed(name);
      // A string test is the CMD-SHELL form; ["NONE"] turns the image's check off.
      if (healthcheck) return healthcheck.disable !== true && healthcheck.test !== undefined && healthcheck.test[0] !== 'NONE' && healthcheck.test !== 'NONE';
      return Array.isArray(imageOfService(name)?.healthcheck);
    };
    const awaited: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      const dependencies = Array.isArray(service.depends_on) ? Object.fromEntries(service.depends_on.map((d) => [d, { condition: 'service_started' }])) : (service.depends_on ?? {});
      for (const [dependency, { condition }] of Object.entries(dependencies)) {
        expect(Object.keys(compose.services), `${name} depends on ${dependency}`).toContain(dependency);
        if (condition !== 'service_healthy') continue;
        expect(hasHealthcheck(dependency), `${name} waits for ${dependency} to be healthy`).toBe(true);
        awaited.push(dependency);
      }
    }
    expect(new Set(awaited)).toEqual(new Set(['users-db', 'products-db', 'orders-db', 'nats', 'users', 'products', 'orders']));
  });

  it('points each service at the others by compose service name and the port they listen on', async () => {
    const databases = new Map<string, string>();
    const reached: string[] = [];
    for (const name of SERVICES) {
      const config = (await configOf(name)) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(config)) {
        if (!key.endsWith('_URL') || typeof value !== 'string') continue;
        const url = new URL(value);
        expect(Object.keys(compose.services), `${name}: ${key}=${value}`).toContain(url.hostname);
        if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
          // Its own PostgreSQL, with the user, password and database that server was created with.
          const server = serviceNamed(url.hostname);
          expect(server.image, `${name}: ${key}`).toMatch(/^postgres:/);
          const created = composeEnvironmentOf(url.hostname);
          expect([decodeURIComponent(url.username), decodeURIComponent(url.password), url.pathname.slice(1), Number(url.port || POSTGRES_PORT)], `${name}: ${key}`).toEqual([
            created.POSTGRES_USER,
            created.POSTGRES_PASSWORD,
            created.POSTGRES_DB,
            POSTGRES_PORT,
          ]);
          databases.set(name, url.hostname);
          continue;
        }
        // <NAME>_URL is where this service reaches the service NAME.
        const named = key.slice(0, -'_URL'.length).toLowerCase();
        if (!isService(named)) continue;
        expect(url.hostname, `${name}: ${key}=${value}`).toBe(named);
        expect(Number(url.port || (url.protocol === 'https:' ? 443 : 80)), `${name}: ${key}=${value}`).toBe(await portOf(named));
        reached.push(`${name}->${named}`);
      }
    }
    expect(reached.sort()).toEqual(['gateway->orders', 'gateway->products', 'gateway->users', 'orders->products', 'orders->users', 'products->users']);
    // One database server per subgraph.
    expect([...databases.keys()].sort()).toEqual([...SUBGRAPH_NAMES].sort());
    expect(new Set(databases.values()).size).toBe(SUBGRAPH_NAMES.length);
  });

  it('traces every service to the Jaeger it runs, over OTLP/HTTP', () => {
    const jaeger = serviceNamed('jaeger');
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
    const prometheus = serviceNamed('prometheus');
    const mounted = prometheus.volumes?.find((volume) => volume.endsWith(':/etc/prometheus/prometheus.yml:ro'));
    expect(mounted).toBeDefined();
    const config = parse(await readFile(join(ROOT, mounted!.split(':')[0]!), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets)).sort();
    const expected = await Promise.all(SERVICES.map(async (name) => `${name}:${(await configOf(name)).METRICS_PORT}`));
    expect(targets).toEqual(expected.sort());
  });
});
