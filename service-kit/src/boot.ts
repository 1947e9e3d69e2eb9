import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from './db.js';
import { migrate } from './migrate.js';
import { createLogger, type Logger } from './logger.js';
import { exitOnStartFailure, shutdownOnSignals } from './lifecycle.js';
import { configOrExit } from './config.js';
import { serveMetrics } from './metrics-server.js';
import type { Tracing } from './tracing.js';
import type {
  BaseServiceConfig,
  DatabaseServiceConfig,
  GatewayServiceDefinition,
  RunnableService,
  SubgraphServiceDefinition,
} from './service-definition.js';

// The steps every service's index.ts takes: logger, database, listen, stop on a signal.

export function serviceLogger(service: string, config: Pick<BaseServiceConfig, 'NODE_ENV' | 'LOG_LEVEL' | 'LOG_FORMAT'>): Logger {
  const format = config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty');
  return createLogger({ service, level: config.LOG_LEVEL, format });
}

/** PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR; migrated before use. */
export async function openMigratedDatabase(config: DatabaseServiceConfig, migrations: URL, logger: Logger): Promise<Database> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    logger,
  });
  const applied = await migrate(db, fileURLToPath(migrations));
  logger.info(
    { database: db.kind === 'postgres' ? 'postgres' : `pglite:${config.DATA_DIR}`, migrationsApplied: applied },
    'database ready',
  );
  return db;
}

/** Demo data goes into development databases unless turned off; never into production. */
export function shouldSeedDemoData(config: DatabaseServiceConfig): boolean {
  return config.SEED_DEMO_DATA ?? config.NODE_ENV === 'development';
}

/** Closing pools and the database after draining gets this long before the process gives up and exits 1. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Listens, then on SIGTERM/SIGINT: stops accepting connections, lets in-flight requests finish
 * for up to SHUTDOWN_TIMEOUT_MS and cuts off the rest, then runs `close` (pools, database) and
 * exits 0. Cut-off requests are logged as a warning, not an exit code: the service stopped as
 * configured.
 */
export async function serveUntilSignal(
  service: RunnableService,
  config: Pick<BaseServiceConfig, 'HOST' | 'PORT' | 'SHUTDOWN_TIMEOUT_MS'>,
  logger: Logger,
  close: () => Promise<void> = async () => {},
): Promise<void> {
  const unanswered = trackUnansweredRequests(service.httpServer);
  const url = await service.listen(config.PORT, config.HOST);
  logger.info({ url: `${url}/graphql` }, 'listening');
  shutdownOnSignals(
    logger,
    async () => {
      unanswered.startCounting();
      await service.stop();
      const cutOff = unanswered.count();
      if (cutOff > 0) logger.warn({ cutOff, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'requests cut off at the shutdown timeout');
      await close();
    },
    { deadlineMs: config.SHUTDOWN_TIMEOUT_MS + CLOSE_GRACE_MS },
  );
}

/**
 * Counts the requests that get no full answer once shutdown has begun: those whose connection
 * closes unanswered meanwhile, plus those still unanswered when draining ends (their sockets are
 * being destroyed, but their 'close' may come only after the drain resolves).
 */
function trackUnansweredRequests(server: Server) {
  const open = new Set<ServerResponse>();
  let counting = false;
  let closedUnanswered = 0;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      if (counting && !res.writableFinished) closedUnanswered++;
    });
  });
  return {
    startCounting: () => {
      counting = true;
    },
    count: () => closedUnanswered + [...open].filter((res) => !res.writableFinished).length,
  };
}

/**
 * A subgraph's whole start once tracing runs (run.ts starts both): config -> db -> migrate -> seed
 * (development) -> listen; exits on failure.
 */
export async function bootSubgraph<Config extends DatabaseServiceConfig>(definition: SubgraphServiceDefinition<Config>, tracing?: Tracing): Promise<void> {
  const config = await configOrExit(() => definition.loadConfig(process.env));
  const logger = serviceLogger(definition.name, config);
  tracing?.logProblemsTo(logger);
  try {
    const db = await openMigratedDatabase(config, definition.migrations, logger);
    if (shouldSeedDemoData(config)) await definition.seed(db, logger);
    const service = await definition.create(db, config, logger);
    const metrics = await serveMetrics(definition.name, config, logger);
    await serveUntilSignal(service, config, logger, async () => {
      try {
        // Scrapes still answer while requests drain; then metrics stop with the rest.
        await metrics?.close();
        // Only now: draining is over, so no request that is still being answered needs the database.
        await db.close();
        logger.info('database closed');
      } finally {
        await stopTracing(tracing, logger);
      }
    });
  } catch (error) {
    exitOnStartFailure(logger)(error);
  }
}

/** The gateway's whole start once tracing runs (run.ts starts both): config -> listen; exits on failure. */
export async function bootGateway<Config extends BaseServiceConfig>(definition: GatewayServiceDefinition<Config>, tracing?: Tracing): Promise<void> {
  const config = await configOrExit(() => definition.loadConfig(process.env));
  const logger = serviceLogger(definition.name, config);
  tracing?.logProblemsTo(logger);
  try {
    const service = await definition.create(config, logger);
    const metrics = await serveMetrics(definition.name, config, logger);
    await serveUntilSignal(service, config, logger, async () => {
      try {
        await metrics?.close();
      } finally {
        await stopTracing(tracing, logger);
      }
    });
  } catch (error) {
    exitOnStartFailure(logger)(error);
  }
}

/** Exports the spans still buffered; those a collector did not take in time are lost, and said so. */
async function stopTracing(tracing: Tracing | undefined, logger: Logger): Promise<void> {
  if (tracing && (await tracing.shutdown()) === 'timed out') logger.warn('the last spans were not exported in time and are lost');
}
