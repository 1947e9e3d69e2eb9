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

/** What a chaos run can kill and start again: each service, each gateway replica, and the NATS server. */
export type Part = SubgraphName | 'gateway-a' | 'gateway-b' | 'nats';
export const GATEWAY_REPLICAS = ['gateway-a', 'gateway-b'] as const;

export interface ChaosStack {
  /** The two gateway replicas' /graphql endpoints. */
  gatewayUrls: readonly string[];
  /** Each subgraph's database. */
  locations: Record<SubgraphName, DataLocation>;
  natsUrl: string;
  /** The demo accounts' password in this run. */
  password: string;
  /** SIGKILLs `part` (no shutdown of its own), as a crash or an OOM kill would. */
  kill(part: Part): void;
  /** Starts `part` again, as it was, and waits until it is ready. */
  restart(part: Part): Promise<void>;
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
 * kill it), and two gateway replicas. The reconciler runs every second on orders-placed-a-second-ago
 * orders, so that the books can be read a few seconds after the load stops.
 */
export async function startChaosStack(serverUrl: string): Promise<ChaosStack> {
  const tempDir = await mkdtemp(join(tmpdir(), 'shop-chaos-'));
  const databases = await benchDatabases(serverUrl, tempDir);
  const password = `chaos-${Math.random().toString(36).slice(2)}`;
  await seedBenchData(databases.locations, password);
  const ports = Object.fromEntries(await Promise.all((['users', 'products', 'orders', 'gateway-a', 'gateway-b', 'nats'] as const).map(async (name) => [name, await freePort()] as const))) as Record<Part, number>;
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
    if (part === 'nats') return {};
    if (part === 'gateway-a' || part === 'gateway-b') {
      // Every shopper of the run is one address: limits meant for the open internet would refuse them.
      return { ...common, PORT: String(ports[part]), RATE_LIMIT_REQUESTS: '1000000000', LOGIN_RATE_LIMIT: '1000000', LOGIN_ADDRESS_RATE_LIMIT: '1000000', LOGIN_ACCOUNT_RATE_LIMIT: '1000000', REGISTER_RATE_LIMIT: '1000000' };
    }
    const location = databases.locations[part];
    return {
      ...common,
      PORT: String(ports[part]),
      DATA_DIR: join(tempDir, `${part}-data`),
      ...('url' in location ? { DATABASE_URL: location.url } : {}),
      ...(part === 'orders'
        ? { NATS_URL: natsUrl, RECONCILE_INTERVAL_MS: '1000', RECONCILE_AFTER_MS: '12000', MAX_OPEN_ORDERS_PER_CUSTOMER: '1000000', WEBHOOK_RETRY_SCHEDULE: '1s,2s,3s,5s,5s,5s', WEBHOOK_POLL_MS: '200' }
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
    const definition = part === 'gateway-a' || part === 'gateway-b' ? gatewayService : SUBGRAPH_SERVICES[part];
    const running = startService(definition, { cwd: ROOT, env: envOf(part), output: { file: join(tempDir, `${part}.log`) } });
    processes[part] = running;
    await running.waitUntil(isReady(base(part)), 90_000);
  };
  const stopServers = async () => {
    for (const part of ['gateway-a', 'gateway-b', 'orders', 'products', 'users', 'nats'] as const) await processes[part]?.stop(5_000);
  };
  try {
    await start('nats');
    for (const name of SUBGRAPH_NAMES) await start(name);
    await Promise.all(GATEWAY_REPLICAS.map(start));
  } catch (error) {
    await stopServers();
    await databases.drop();
    throw error;
  }
  return {
    gatewayUrls: GATEWAY_REPLICAS.map((name) => `${base(name)}/graphql`),
    locations: databases.locations,
    natsUrl,
    password,
    kill: (part) => void processes[part]?.child.kill('SIGKILL'),
    async restart(part) {
      await processes[part]?.exited(10_000).catch(() => processes[part]?.child.kill('SIGKILL'));
      await start(part);
    },
    stopServers,
    async stop() {
      await stopServers();
      await databases.drop();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
