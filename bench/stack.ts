import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/processes.js';
import { ROOT } from '../scripts/root.js';
import { gatewayService, SUBGRAPH_SERVICES } from '../scripts/services.js';
import { startCollector, type Collector } from './collector.js';
import { benchDatabases, type ServerCpu } from './databases.js';
import { benchSecrets } from './keys.js';
import { startServer, type Server } from './processes.js';
import { SUBGRAPHS, seedBenchData, type DataLocation, type SubgraphName } from './seed.js';
import { isTraced, tracingEnv, withoutInheritedTracing } from './traced-gateways.js';
import { withoutAuthorizationPurpose } from '../gateway/src/authorization/supergraph-features.js';
import { loadConfig } from '../gateway/src/config.js';
import { memoryBudget, oldSpaceNeededMiB } from '../gateway/src/memory-budget.js';
import { withoutDeclaredAuthorization } from './without-authorization.js';

/**
 * `ours` runs without its response cache (the uncached figures); `ours-cached` with it, as
 * deployed; `ours-traced` and `ours-traced-10` as `ours` with tracing on (traced-gateways.ts),
 * measured right after it so that the two compare across as little drift as possible;
 * `ours-no-authz` as `ours` serving the supergraph without its declared authorization
 * (without-authorization.ts), measured right after it too: what enforcing the directives costs.
 */
export const GATEWAYS = ['ours', 'ours-no-authz', 'ours-traced', 'ours-traced-10', 'stock', 'hive', 'hive-rust', 'ours-cached'] as const;
export type GatewayName = (typeof GATEWAYS)[number];

/** The gateways that are ours: the compiled gateway with its definition's Node flags. */
const OURS: readonly GatewayName[] = ['ours', 'ours-no-authz', 'ours-cached', 'ours-traced', 'ours-traced-10'];
/** The gateways that run without the response cache. */
const UNCACHED: readonly GatewayName[] = ['ours', 'ours-no-authz', 'ours-traced', 'ours-traced-10'];

/** How a gateway is started again. */
export interface RestartOptions {
  /** SUBSCRIPTIONS_MAX, with the heap the gateway's memory budget asks for so many. */
  subscriptionsMax?: number;
  /** More of its environment (a subgraph's URL overridden, a cache off). */
  env?: Record<string, string>;
}

export interface BenchStack {
  subgraphs: Record<SubgraphName, Server>;
  /** Each with its Prometheus metrics' address (METRICS_PORT), read by the subscriptions scenario. */
  gateways: Record<GatewayName, Server & { metricsUrl: string }>;
  /** Where the traced gateways export their spans. */
  collector: Collector;
  /** The demo accounts' password in this run. */
  userPassword: string;
  tempDir: string;
  /** Where each subgraph's data is (read by the consistency check once the servers stopped). */
  locations: Record<SubgraphName, DataLocation>;
  /** On PostgreSQL: the server's CPU so far, or why it cannot be read (none on PGlite: it runs inside each subgraph). */
  databaseCpu: ServerCpu | undefined;
  /**
   * Stops one gateway and starts it afresh, as a deploy does: a new process, nothing planned or
   * compiled yet; with the milliseconds from its start to its first answer.
   */
  /** A fresh process of `name`; `subscriptionsMax` lets ours hold so many subscriptions, with the heap its memory budget asks for them. */
  restartGateway(name: GatewayName, options?: RestartOptions): Promise<{ server: Server & { metricsUrl: string }; startMs: number }>;
  /** Stops every server, keeping the data. */
  stopServers(): Promise<void>;
  /** Stops every server and removes the data. */
  stop(): Promise<void>;
}

/**
 * What each server runs: ours as production runs it, the compiled dist (`npm run bench` builds
 * first); the two other gateways are single files Node runs by stripping their types. No loader
 * in any process, so CPU and memory are the server's own.
 */

const ENTRIES: Record<SubgraphName | GatewayName, string> = {
  users: 'subgraphs/users/dist/index.js',
  products: 'subgraphs/products/dist/index.js',
  orders: 'subgraphs/orders/dist/index.js',
  ours: 'gateway/dist/index.js',
  'ours-no-authz': 'gateway/dist/index.js',
  'ours-cached': 'gateway/dist/index.js',
  'ours-traced': 'gateway/dist/index.js',
  'ours-traced-10': 'gateway/dist/index.js',
  stock: 'bench/stock-gateway.ts',
  hive: 'bench/hive-gateway.ts',
  'hive-rust': 'bench/hive-gateway.ts',
};

/**
 * Seeds fresh databases, then starts the collector, the three subgraphs and the gateways, each its
 * own process on a free loopback port, all in production mode (NODE_ENV=production: JSON logs, no
 * Sandbox, the production config checks), with telemetry off and tracing off but for the traced
 * gateways. `stop` stops them all and removes the data.
 */
/** What every server the bench starts is given: production, on loopback, each subgraph at `base(name)`. */
export function benchServerEnv(base: (name: SubgraphName) => string, serviceCredential: string): Record<string, string> {
  return {
    // Whatever tracing the bench's own environment configures reaches no server: off means off.
    ...withoutInheritedTracing(process.env),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    APOLLO_TELEMETRY_DISABLED: 'true',
    USERS_URL: base('users'),
    PRODUCTS_URL: base('products'),
    ORDERS_URL: base('orders'),
    SERVICE_CREDENTIAL: serviceCredential,
  };
}

/** What the gateway's caches and limiter stores may take with their default settings (its memory budget). */
const defaultCachesBytes = () => memoryBudget(loadConfig({})).reduce((sum, line) => sum + line.bytes, 0);

export async function startBenchStack(
  databaseServerUrl: string | undefined,
  /** Servers to run under `--cpu-prof`, their profiles written to `profileDir` when they stop. */
  profile: { servers: string[]; dir: string },
  /** Gets `stop` as soon as there is something to clean up, so Ctrl-C during start-up cleans too. */
  onStop: (stop: () => Promise<void>) => void,
): Promise<BenchStack> {
  const tempDir = await mkdtemp(join(tmpdir(), 'shop-bench-'));
  const secrets = benchSecrets();
  const databases = await benchDatabases(databaseServerUrl, tempDir);
  const started: Server[] = [];
  const stopServers = async () => {
    // Gateways first, then orders, products, users: nothing calls a service already gone.
    for (const server of started.reverse().splice(0)) await server.stop();
  };
  let stopping: Promise<void> | undefined;
  // Once only: Ctrl-C and the bench's own `finally` may both ask.
  const stop = () =>
    (stopping ??= (async () => {
      await stopServers();
      await databases.drop();
      // BENCH_KEEP_LOGS keeps the folder: each server's log (and the PGlite data) for a post-mortem.
      if (process.env.BENCH_KEEP_LOGS) console.log(`Logs kept in ${tempDir}`);
      else await rm(tempDir, { recursive: true, force: true });
    })());
  // Last resort (after the children were killed): a stop cut short, say mid-seed, leaves no folder.
  if (!process.env.BENCH_KEEP_LOGS) process.once('exit', () => rmSync(tempDir, { recursive: true, force: true }));
  onStop(stop);
  try {
    await seedBenchData(databases.locations, secrets.userPassword);
    const ports = {} as Record<SubgraphName | GatewayName, number>;
    for (const name of [...SUBGRAPHS, ...GATEWAYS]) ports[name] = await freePort();
    const base = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}`;
    const common = benchServerEnv(base, secrets.serviceCredential);
    // First, so it is stopped last: the gateways' final exports at shutdown still find it.
    const collector = await startCollector(tempDir, common);
    started.push(collector);
    /** Gateways restarted so far, by name: a restarted process's profile is written beside its predecessor's. */
    const restarts = new Map<string, number>();
    const start = async (name: SubgraphName | GatewayName, env: Record<string, string>, oldSpaceMiB?: number) => {
      const profileName = restarts.has(name) ? `${name}-restart-${restarts.get(name)}` : name;
      const profiling = profile.servers.includes(name) ? ['--cpu-prof', `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profileName}.cpuprofile`] : [];
      // Ours with the Node flags of its definitions, as production runs them.
      const productionFlags = (OURS as readonly string[]).includes(name) ? gatewayService.nodeFlags : name in SUBGRAPH_SERVICES ? SUBGRAPH_SERVICES[name as SubgraphName].nodeFlags : [];
      const nodeFlags = oldSpaceMiB === undefined ? productionFlags : [...productionFlags.filter((flag) => !flag.startsWith('--max-old-space-size')), `--max-old-space-size=${oldSpaceMiB}`];
      // Metrics on, as production runs: several of our gateways at once each need a port of their own.
      const metricsPort = String(await freePort());
      const server = await startServer(name, [...nodeFlags, ...profiling, join(ROOT, ENTRIES[name])], { ...common, ...env, PORT: String(ports[name]), METRICS_PORT: metricsPort }, {
        cwd: ROOT,
        url: `http://127.0.0.1:${ports[name]}/graphql`,
        logFile: join(tempDir, `${name}.log`),
      });
      // The same object in `started` as returned: restartGateway finds it there by identity.
      const running = { ...server, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
      started.push(running);
      return running;
    };
    const subgraphs = {} as Record<SubgraphName, Server>;
    for (const name of SUBGRAPHS) {
      const location = databases.locations[name];
      subgraphs[name] = await start(name, {
        ...('url' in location ? { DATABASE_URL: location.url } : { DATA_DIR: location.dataDir }),
        // Tokens that outlive the run (a full run takes longer than the default 15 minutes): every
        // token the bench signs in with at start is still valid for its last scenario.
        ...(name === 'users' ? { JWT_PRIVATE_KEY: secrets.jwtPrivateKey, ACCESS_TOKEN_TTL_SECONDS: '86400' } : {}),
        // Every order the bench places is one customer's: the limit meant to stop hoarding would refuse it after 20.
        ...(name === 'orders' ? { MAX_OPEN_ORDERS_PER_CUSTOMER: '1000000' } : {}),
      });
    }
    // One supergraph for all the gateways (ours-no-authz: the same without authorization), its routing URLs pointing at this run's subgraphs.
    let supergraph = await readFile(join(ROOT, 'supergraph.graphql'), 'utf8');
    for (const name of SUBGRAPHS) {
      supergraph = supergraph.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+`), `$1${base(name)}/graphql`);
    }
    const supergraphPath = join(tempDir, 'supergraph.graphql');
    await writeFile(supergraphPath, supergraph);
    // Written here, not in the gateways' own files: stock's runs by Node stripping its types, which imports no TypeScript source.
    const supergraphOf: Partial<Record<GatewayName, string>> = {
      'ours-no-authz': join(tempDir, 'supergraph-no-authz.graphql'),
      // Stock refuses a feature linked for SECURITY that it does not know, and enforces none of them: it gets them as plain metadata.
      stock: join(tempDir, 'supergraph-stock.graphql'),
    };
    await writeFile(supergraphOf['ours-no-authz']!, withoutDeclaredAuthorization(supergraph));
    await writeFile(supergraphOf.stock!, withoutAuthorizationPurpose(supergraph));
    /** `subscriptionsMax`: SUBSCRIPTIONS_MAX, with the heap the gateway's memory budget asks for so many (oldSpaceNeededMiB), not production's. */
    const startGateway = (name: GatewayName, subscriptionsMax?: number, env: Record<string, string> = {}) =>
      start(
        name,
        {
          SUPERGRAPH_PATH: supergraphOf[name] ?? supergraphPath,
          // Every bench request is one client (one address, one signed-in user): the limits meant
          // for the open internet would answer 429 within a second. Document limits stay on.
          RATE_LIMIT_REQUESTS: '1000000000',
          LOGIN_ADDRESS_RATE_LIMIT: '1000000',
          LOGIN_RATE_LIMIT: '1000000',
          LOGIN_ACCOUNT_RATE_LIMIT: '1000000',
          REGISTER_RATE_LIMIT: '1000000',
          // The subscriptions scenario's subscribers are all the admin: the per-client bound (20) would refuse the 21st.
          SUBSCRIPTIONS_PER_CLIENT: '1000000',
          ...(subscriptionsMax === undefined ? {} : { SUBSCRIPTIONS_MAX: String(subscriptionsMax) }),
          ...(UNCACHED.includes(name) ? { RESPONSE_CACHE_MB: '0' } : {}),
          ...(name === 'hive-rust' ? { HIVE_ROUTER_RUNTIME: 'true' } : {}),
          ...(isTraced(name) ? tracingEnv(name, collector.url) : {}),
          ...env,
        },
        subscriptionsMax === undefined ? undefined : oldSpaceNeededMiB(defaultCachesBytes(), subscriptionsMax),
      );
    const gateways = {} as Record<GatewayName, Server & { metricsUrl: string }>;
    for (const name of GATEWAYS) gateways[name] = await startGateway(name);
    const restartGateway = async (name: GatewayName, options: RestartOptions = {}) => {
      const old = gateways[name];
      await old.stop();
      started.splice(started.indexOf(old), 1);
      restarts.set(name, (restarts.get(name) ?? 0) + 1);
      const startedAt = performance.now();
      gateways[name] = await startGateway(name, options.subscriptionsMax, options.env);
      return { server: gateways[name], startMs: performance.now() - startedAt };
    };
    return {
      subgraphs,
      gateways,
      collector,
      userPassword: secrets.userPassword,
      tempDir,
      locations: databases.locations,
      databaseCpu: databases.serverCpu,
      restartGateway,
      stopServers,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
