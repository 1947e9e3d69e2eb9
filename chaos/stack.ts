import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SubgraphName } from '@shop/service-kit/definitions';
import { SUBGRAPH_NAMES } from '@shop/service-kit/definitions';
import { ROOT } from '../scripts/root.js';
import { freePort, isReady, startExecutable, startService, type RunningProcess } from '../scripts/processes.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';
import { benchDatabases } from '../bench/databases.js';
import { seedBenchData, type DataLocation } from '../bench/seed.js';
import { startSubgraphProxy } from '../test/support/subgraph-proxy.js';

/** What a chaos run can kill and start again: each service, each gateway replica, the NATS and Redis servers. */
export type Part = SubgraphName | 'gateway-a' | 'gateway-b' | 'nats' | 'redis';
export const GATEWAY_REPLICAS = ['gateway-a', 'gateway-b'] as const;
/** A fault: a part killed (and started again when mended), or the gateways' route to products cut or slowed past their deadline. */
export type Fault = Part | 'products-cut' | 'products-slow';
/** The gateways' deadline for a subgraph call in a chaos run (SUBGRAPH_TIMEOUT_MS): short, so a slowed products passes it. */
const SUBGRAPH_DEADLINE_MS = 2_000;

export interface ChaosStack {
  /** The two gateway replicas' /graphql endpoints. */
  gatewayUrls: readonly string[];
  /** Each subgraph's database. */
  locations: Record<SubgraphName, DataLocation>;
  natsUrl: string;
  /** The demo accounts' password in this run. */
  password: string;
  /**
   * Makes `fault` happen: a part SIGKILLed (no shutdown of its own, as a crash or an OOM kill), or
   * the gateways' route to products cut (every call's connection dropped) or slowed past their
   * deadline. Resolves with what mends it: the part started again as it was (ready), the route back.
   */
  inflict(fault: Fault): Promise<() => Promise<void>>;
  /** Stops every process (SIGTERM), leaving the databases. */
  stopServers(): Promise<void>;
  /** Stops everything and drops the databases. */
  stop(): Promise<void>;
}

type Env = Record<string, string>;

/**
 * The shop as a chaos run needs it, every part a process of its own so it can be killed: users,
 * products and orders on PostgreSQL databases of their own (created on `serverUrl`, seeded with the
 * demo shop), orders publishing its events to a NATS server with JetStream the run starts (so it can
 * kill it), and two gateway replicas sharing their rate-limit counters in a Redis of the run's own,
 * reaching products through a proxy the run cuts or slows. The reconciler runs every second on orders-placed-a-second-ago
 * orders, so that the books can be read a few seconds after the load stops.
 */
export async function startChaosStack(serverUrl: string): Promise<ChaosStack> {
  const tempDir = await mkdtemp(join(tmpdir(), 'shop-chaos-'));
  const databases = await benchDatabases(serverUrl, tempDir);
  const password = `chaos-${Math.random().toString(36).slice(2)}`;
  await seedBenchData(databases.locations, password);
  const ports = Object.fromEntries(await Promise.all((['users', 'products', 'orders', 'gateway-a', 'gateway-b', 'nats', 'redis'] as const).map(async (name) => [name, await freePort()] as const))) as Record<Part, number>;
  // The gateways reach products through a proxy the run controls (cut, slowed); orders reaches it directly.
  const productsProxy = await startSubgraphProxy(`http://127.0.0.1:${ports.products}`);
  const base = (name: Part) => `http://127.0.0.1:${ports[name]}`;
  const natsUrl = `nats://127.0.0.1:${ports.nats}`;
  const common: Env = {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    APOLLO_TELEMETRY_DISABLED: 'true',
    METRICS_PORT: '0',
    USERS_URL: base('users'),
    PRODUCTS_URL: base('products'),
    ORDERS_URL: base('orders'),
    SHUTDOWN_TIMEOUT_MS: '2000',
  };
  const envOf = (part: Part): Env => {
    if (part === 'nats' || part === 'redis') return {};
    if (part === 'gateway-a' || part === 'gateway-b') {
      return {
        ...common,
        PORT: String(ports[part]),
        SUBGRAPH_PRODUCTS_URL: `${productsProxy.url}/graphql`,
        SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_DEADLINE_MS),
        // The replicas share their rate-limit counters, in a Redis of the run's own.
        REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
        // Every shopper of the run is one address: limits meant for the open internet would refuse them.
        RATE_LIMIT_REQUESTS: '1000000000',
        LOGIN_RATE_LIMIT: '1000000',
        LOGIN_ADDRESS_RATE_LIMIT: '1000000',
        LOGIN_ACCOUNT_RATE_LIMIT: '1000000',
        REGISTER_RATE_LIMIT: '1000000',
      };
    }
    const location = databases.locations[part];
    return {
      ...common,
      PORT: String(ports[part]),
      DATA_DIR: join(tempDir, `${part}-data`),
      ...('url' in location ? { DATABASE_URL: location.url } : {}),
      ...(part === 'orders'
        ? { NATS_URL: natsUrl, RECONCILE_INTERVAL_MS: '1000', RECONCILE_AFTER_MS: '12000', MAX_OPEN_ORDERS_PER_CUSTOMER: '1000000', WEBHOOK_RETRY_SCHEDULE: '1s,2s,3s,5s,10s,20s', WEBHOOK_POLL_MS: '200' }
        : {}),
    };
  };
  const processes: Partial<Record<Part, RunningProcess>> = {};
  const start = async (part: Part) => {
    if (part === 'nats') {
      const nats = startExecutable('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(ports.nats), '-sd', join(tempDir, 'nats')]);
      processes.nats = nats;
      await nats.waitFor(/Server is ready/, 30_000);
      return;
    }
    if (part === 'redis') {
      const redis = startExecutable('redis-server', ['--port', String(ports.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
      processes.redis = redis;
      await redis.waitFor(/Ready to accept connections/, 30_000);
      return;
    }
    const definition = part === 'gateway-a' || part === 'gateway-b' ? gatewayService : SUBGRAPH_SERVICES[part];
    const running = startService(definition, { cwd: ROOT, env: envOf(part), output: { file: join(tempDir, `${part}.log`) } });
    processes[part] = running;
    await running.waitUntil(isReady(base(part)), 90_000);
  };
  const stopServers = async () => {
    for (const part of ['gateway-a', 'gateway-b', 'orders', 'products', 'users', 'nats', 'redis'] as const) await processes[part]?.stop(5_000);
  };
  try {
    await start('nats');
    await start('redis');
    for (const name of SUBGRAPH_NAMES) await start(name);
    await Promise.all(GATEWAY_REPLICAS.map(start));
  } catch (error) {
    await stopServers();
    await productsProxy.close();
    await databases.drop();
    throw error;
  }
  return {
    gatewayUrls: GATEWAY_REPLICAS.map((name) => `${base(name)}/graphql`),
    locations: databases.locations,
    natsUrl,
    password,
    async inflict(fault) {
      if (fault === 'products-cut' || fault === 'products-slow') {
        if (fault === 'products-cut') productsProxy.setMode('drop');
        else productsProxy.setDelay(SUBGRAPH_DEADLINE_MS + 1_000);
        return async () => {
          productsProxy.setMode('pass');
          productsProxy.setDelay(0);
        };
      }
      const running = processes[fault];
      running?.child.kill('SIGKILL');
      return async () => {
        await running?.exited(10_000).catch(() => running.child.kill('SIGKILL'));
        await start(fault);
      };
    },
    stopServers,
    async stop() {
      await stopServers();
      await productsProxy.close();
      await databases.drop();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
