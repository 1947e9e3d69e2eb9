// Light on purpose (types and constants only, also exported as '@shop/service-kit/definitions'):
// `npm start` reads the definitions without loading any service.
import type { Database } from './db.js';
import type { HttpService, ServiceContext } from './http-service.js';
import type { Logger } from './logger.js';

import type { ServiceName, SubgraphName } from './service-names.js';

export { SUBGRAPH_NAMES, DEFAULT_PORTS, DEFAULT_METRICS_PORTS, defaultUrl, type SubgraphName, type ServiceName } from './service-names.js';

/**
 * Node flags for a process that runs PGlite: V8 compiles its WebAssembly with the baseline
 * compiler only. The optimising tier's code for the 9 MB module held ~150 MB more per process,
 * and for a service's small queries the baseline code was as fast (no tier-up compiling
 * competing for the CPU). They change nothing for a service on PostgreSQL.
 */
export const PGLITE_NODE_FLAGS = ['--liftoff-only'];

/** A running service: listening, stopping, plus whatever the service exposes (orders' reconciler). */
export type RunnableService = Pick<HttpService<ServiceContext>, 'httpServer' | 'listen' | 'stop'>;

/** The configuration every service reads (DESIGN.md §3). */
export interface BaseServiceConfig {
  NODE_ENV: 'development' | 'test' | 'production';
  HOST: string;
  PORT: number;
  /** Port of GET /metrics, never the public port; 0 serves no metrics. */
  METRICS_PORT: number;
  LOG_LEVEL: string;
  LOG_FORMAT?: 'json' | 'pretty' | undefined;
  SHUTDOWN_TIMEOUT_MS: number;
}

/** The configuration of a service that holds a database. */
export interface DatabaseServiceConfig extends BaseServiceConfig {
  DATABASE_URL?: string | undefined;
  DATABASE_PREPARED_STATEMENTS: boolean;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATA_DIR: string;
  SEED_DEMO_DATA?: boolean | undefined;
}

/**
 * Everything about one service in one place: its name, its entry point, how its configuration is
 * read and how it is created. Its index.ts, `npm start`, the tests' stack and the bench all start
 * it from here, so they cannot drift apart.
 */
export interface ServiceDefinition<Config extends BaseServiceConfig> {
  name: ServiceName;
  /** The service's index.ts: what runs it as a process of its own. */
  entry: URL;
  /** Node flags its process runs with. */
  nodeFlags: string[];
  /** Reads and checks the environment (rejects with a ConfigError listing every problem). */
  loadConfig(env: Record<string, string | undefined>): Promise<Config>;
}

export interface SubgraphServiceDefinition<Config extends DatabaseServiceConfig, Service extends RunnableService = RunnableService>
  extends ServiceDefinition<Config> {
  name: SubgraphName;
  /** Its numbered plain-SQL migrations. */
  migrations: URL;
  /** schema.graphql: its part of the contract. */
  schema: URL;
  /** Writes the demo data when the service's tables are empty. */
  seed(db: Database, logger: Logger): Promise<void>;
  /** The service, ready to listen, on a migrated database. */
  create(db: Database, config: Config, logger: Logger): Promise<Service>;
}

export interface GatewayServiceDefinition<Config extends BaseServiceConfig, Service extends RunnableService = RunnableService>
  extends ServiceDefinition<Config> {
  name: 'gateway';
  create(config: Config, logger: Logger): Promise<Service>;
}

/** The index beside a service's module: index.ts when run from source, index.js when built. */
export const entryBeside = (moduleUrl: string) => new URL(moduleUrl.endsWith('.ts') ? './index.ts' : './index.js', moduleUrl);

/**
 * A subgraph's young generation: V8's default let a busy subgraph's heap grow to ~190 MB with
 * ~70 MB in use; at 8 MB it stayed at ~80 MB and ran as fast (10,000 catalogue queries, measured).
 */
const SUBGRAPH_HEAP_FLAGS = ['--max-semi-space-size=8'];

/**
 * Where every subgraph keeps its parts, seen from its definition module in src/: the entry beside
 * it, `migrations/` and `schema.graphql` in the package folder; and its process's Node flags.
 */
export const subgraphLayout = (definitionUrl: string) => ({
  entry: entryBeside(definitionUrl),
  nodeFlags: [...PGLITE_NODE_FLAGS, ...SUBGRAPH_HEAP_FLAGS],
  migrations: new URL('../migrations/', definitionUrl),
  schema: new URL('../schema.graphql', definitionUrl),
});
