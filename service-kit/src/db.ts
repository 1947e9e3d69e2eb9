import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { DEFAULT_DATABASE_CONNECT_TIMEOUT_MS } from './config.js';
import { databaseOutageLog, publicDatabaseError, type DatabaseOutageLog } from './database-errors.js';
import type { Logger } from './logger.js';
import { createPglite } from './pglite.js';
import { tracedStatement } from './pglite-tracing.js';
import { timeStatement, trackPool, type DatabaseKind } from './database-metrics.js';
import { preparedStatements } from './prepared-statements.js';

/** What repositories need from a connection: run one parameterised statement, get rows. */
export interface Queryable {
  query<Row extends object>(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<Row[]>;
}

export interface StatementOptions {
  /**
   * A lookup by key, whose best plan is the same whatever its parameters (`id = ANY($1)`): on
   * PostgreSQL, outside transactions, it runs as a named statement that each pooled connection
   * plans once (prepared-statements.ts). Never for a statement whose parameters change its best
   * plan (an optional filter, `$1 IS NULL OR …`): a plan kept for one value would serve all.
   */
  prepare?: boolean;
}

/** A connection inside a transaction; `exec` runs a script of statements without parameters. */
export interface Transaction extends Queryable {
  exec(sql: string): Promise<void>;
}

/**
 * One small interface over embedded PGlite and a PostgreSQL server, so the same SQL runs on
 * both. `transaction` runs `work` on one connection and commits, or rolls back if it throws.
 */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Calls `onNotify` on each NOTIFY of `channel` (a lower-case SQL identifier) until the returned
   * function is called. A wake-up only: on PostgreSQL its own connection may drop and come back
   * (then `onNotify` is called once, for what it missed), so whoever listens polls as well.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** PGlite only: the whole data directory as an archive another database can start from. */
  archive?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; without it the database is PGlite in `dataDir` (in memory when undefined). */
  url?: string | undefined;
  dataDir?: string | undefined;
  /** In-memory PGlite only: a data directory archive (`Database.archive`) to start from. */
  archive?: Blob | undefined;
  /** Called before every statement; tests use it to count statements. */
  onStatement?: ((sql: string) => void) | undefined;
  /** Pool size on PostgreSQL. */
  maxConnections?: number;
  /**
   * PostgreSQL: how long a statement waits for a connection (a new one, or a pooled one to come
   * free) before it fails with SERVICE_UNAVAILABLE; DEFAULT_DATABASE_CONNECT_TIMEOUT_MS unless given.
   */
  connectTimeoutMs?: number;
  /** PostgreSQL: run the statements marked `prepare`, outside transactions, as named ones (prepared-statements.ts); on unless false. */
  preparedStatements?: boolean;
  /** Where a pooled connection's failure while idle (server restart, failover), and an outage's start and end, are reported. */
  logger?: Pick<Logger, 'warn' | 'info'>;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

/**
 * A driver's connection behind our interface; every statement is reported to `onStatement` first,
 * and timed; its failure becomes the error a client gets (database-errors.ts), and an outage is logged.
 */
function observed(
  kind: DatabaseKind,
  query: (sql: string, params: unknown[], options: StatementOptions) => Promise<{ rows: unknown[] }>,
  exec: (sql: string) => Promise<unknown>,
  onStatement: ((sql: string) => void) | undefined,
  outage?: DatabaseOutageLog,
): Transaction {
  return {
    async query<Row extends object>(sql: string, params: readonly unknown[] = [], options: StatementOptions = {}) {
      onStatement?.(sql);
      const startedAt = outage ? performance.now() : 0;
      try {
        const { rows } = await timeStatement(kind, sql, () => query(sql, [...params], options));
        outage?.answered(startedAt);
        return rows as Row[];
      } catch (error) {
        outage?.failed(error);
        throw publicDatabaseError(error);
      }
    },
    async exec(sql: string) {
      onStatement?.(sql);
      await timeStatement(kind, sql, () => exec(sql));
    },
  };
}

async function openPglite({ dataDir, archive, onStatement }: DatabaseOptions): Promise<Database> {
  const db = await createPglite({ dataDir, archive });
  const wrap = (target: Pick<PGlite, 'query' | 'exec'>) =>
    observed(
      'pglite',
      (sql, params) => tracedStatement(sql, () => target.query(sql, params)),
      (sql) => tracedStatement(sql, () => target.exec(sql)),
      onStatement,
    );
  const root = wrap(db);
  return {
    kind: 'pglite',
    ...root,
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    listen: async (channel, onNotify) => db.listen(checkedChannel(channel), () => onNotify()),
    archive: () => db.dumpDataDir('none'),
    close: () => db.close(),
  };
}

async function openPostgres(
  url: string,
  { onStatement, maxConnections = 10, connectTimeoutMs = DEFAULT_DATABASE_CONNECT_TIMEOUT_MS, preparedStatements: named = true, logger }: DatabaseOptions,
): Promise<Database> {
  // Bounded: without it a statement would wait forever for a server that does not answer, or for
  // a connection while slow statements hold them all; it answers SERVICE_UNAVAILABLE instead.
  // keepAlive: an idle connection a NAT or firewall would forget stays known to it, and one cut
  // without a reset is found dead by the kernel's probes, which start after 10 s of silence (not
  // the kernel's default two hours).
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  // Without a listener an idle connection's error would crash the process; the pool replaces it.
  pool.on('error', (error) => logger?.warn({ err: error }, 'an idle database connection failed; it will be replaced'));
  const outage = databaseOutageLog(logger);
  /** A transaction's connection: its statements unnamed. */
  const wrap = (client: pg.PoolClient) => observed('postgres', (sql, params) => client.query(sql, params), (sql) => client.query(sql), onStatement, outage);
  // Only outside transactions: a stale statement (see forgetIfStale) then never fails one halfway.
  const statements = named ? preparedStatements() : undefined;
  const queryNamed = async (sql: string, params: unknown[], { prepare }: StatementOptions) => {
    if (!prepare || !statements) return pool.query(sql, params);
    try {
      return await pool.query(statements.config(sql, params));
    } catch (error) {
      if (!statements.forgetIfStale(sql, error)) throw error;
      return pool.query(statements.config(sql, params));
    }
  };
  // Fail at start, with the server's own message, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const untrackPool = trackPool(pool);
  const root = observed('postgres', queryNamed, (sql) => pool.query(sql), onStatement, outage);
  return {
    kind: 'postgres',
    ...root,
    async transaction(work) {
      /** BEGIN, COMMIT and the wait for a connection fail as the work's statements do (its own go through `wrap`). */
      const control = async <T>(step: () => Promise<T>) => {
        try {
          return await step();
        } catch (error) {
          outage.failed(error);
          throw publicDatabaseError(error);
        }
      };
      const client = await control(() => pool.connect());
      // A connection whose rollback failed, or that failed while checked out, is in an unknown
      // state: it is destroyed, not reused.
      let broken: Error | undefined;
      // The pool stops listening to a connection it hands out, and pg emits a lost connection's
      // error on it (mid-statement, or between statements): unheard, it would end the process.
      const onLost = (error: Error) => {
        broken ??= error;
        outage.failed(error);
      };
      client.on('error', onLost);
      try {
        await control(() => client.query('BEGIN'));
        const result = await work(wrap(client));
        // Lost during COMMIT, the outcome is unknown: a client retries with its idempotency key.
        await control(() => client.query('COMMIT'));
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    },
    listen: (channel, onNotify) => listenOnPostgres(url, checkedChannel(channel), onNotify, connectTimeoutMs, logger),
    async close() {
      untrackPool();
      await pool.end();
    },
  };
}

/** LISTEN takes an identifier, not a parameter: only plain names are accepted. */
function checkedChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  return channel;
}

const LISTEN_RECONNECT_MS = 5_000;

/** A connection of its own (a pooled one would be handed to others), opened again while it fails. */
async function listenOnPostgres(url: string, channel: string, onNotify: () => void, connectTimeoutMs: number, logger: Pick<Logger, 'warn'> | undefined): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let failing = false;
  const open = async () => {
    // keepAlive: a connection silently cut (a NAT's timeout) would otherwise never deliver again.
    const connection = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: connectTimeoutMs });
    client = connection;
    connection.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    // A late error of a connection already replaced is not this one's.
    connection.on('error', (error) => {
      if (client === connection) reopenLater(error);
    });
    await connection.connect();
    await connection.query(`LISTEN ${channel}`);
    // Notifications sent while it was down are lost: whoever listens looks once now.
    if (failing) onNotify();
    failing = false;
  };
  const reopenLater = (error: unknown) => {
    if (!failing) logger?.warn({ err: error, channel }, 'the LISTEN connection failed; opening it again (polling meanwhile)');
    failing = true;
    void client?.end().catch(() => undefined);
    client = undefined;
    if (closed) return;
    clearTimeout(retry);
    retry = setTimeout(() => void open().catch(reopenLater), LISTEN_RECONNECT_MS);
    retry.unref();
  };
  await open().catch(reopenLater);
  return async () => {
    closed = true;
    clearTimeout(retry);
    await client?.end();
  };
}

/** Readiness of a service whose only dependency is its database. */
export function databaseReadiness(db: Queryable) {
  return async (): Promise<string[]> => {
    await db.query('SELECT 1');
    return [];
  };
}
