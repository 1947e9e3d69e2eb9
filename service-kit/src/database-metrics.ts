import type { Histogram, Registry } from 'prom-client';
import { defineGauge, defineHistogram, metricsRegistry, secondsSince } from './metrics.js';

// What a service's database costs: each statement's duration (PGlite and PostgreSQL alike) and
// the use of pg's connection pool. db.ts calls these; they are apart so that each is tested alone.

export type DatabaseKind = 'pglite' | 'postgres';
export type StatementOutcome = 'success' | 'error';

/**
 * Statement kinds counted under their own name; any other first word (or a script that starts
 * with a comment) is OTHER, so the label stays bounded whatever SQL runs.
 */
const OPERATIONS = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH', 'BEGIN', 'COMMIT', 'ROLLBACK',
  'SAVEPOINT', 'RELEASE', 'CREATE', 'ALTER', 'DROP', 'LOCK', 'SET', 'TRUNCATE',
]);

/** The statement's kind: its first keyword in capitals when it is one of OPERATIONS, else OTHER. */
export function statementOperation(sql: string): string {
  let start = 0;
  while (start < sql.length && sql.charCodeAt(start) <= 32) start++;
  let end = start;
  while (end < sql.length && isLetter(sql.charCodeAt(end))) end++;
  // Longer than any keyword above: not worth upper-casing.
  if (end === start || end - start > 9) return 'OTHER';
  const word = sql.slice(start, end).toUpperCase();
  return OPERATIONS.has(word) ? word : 'OTHER';
}

const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

/** Buckets from an indexed read in PGlite (~0.1 ms) to a statement worth a look (5 s). */
const STATEMENT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const statementDurations = new WeakMap<Registry, Histogram<'database' | 'operation' | 'outcome'>>();

/** Defined on first use: only a process with a database carries it. */
function statementHistogram(registry: Registry) {
  let histogram = statementDurations.get(registry);
  if (!histogram) {
    histogram = defineHistogram({
      registry,
      name: 'db_statement_duration_seconds',
      help: 'Duration of SQL statements, by database (pglite, postgres), operation (SELECT, INSERT, …, OTHER) and outcome (success, error)',
      labelNames: ['database', 'operation', 'outcome'],
      buckets: STATEMENT_BUCKETS,
    });
    statementDurations.set(registry, histogram);
  }
  return histogram;
}

/** Records one statement that took `seconds`. */
export function observeStatement(
  database: DatabaseKind,
  operation: string,
  seconds: number,
  outcome: StatementOutcome,
  registry: Registry = metricsRegistry,
): void {
  statementHistogram(registry).observe({ database, operation, outcome }, seconds);
}

/** Runs one statement (`run`), recording its duration under `sql`'s operation and whether it failed. */
export async function timeStatement<T>(database: DatabaseKind, sql: string, run: () => Promise<T>, registry: Registry = metricsRegistry): Promise<T> {
  const startedAt = performance.now();
  let outcome: StatementOutcome = 'error';
  try {
    const result = await run();
    outcome = 'success';
    return result;
  } finally {
    observeStatement(database, statementOperation(sql), secondsSince(startedAt), outcome, registry);
  }
}

/** What pg's Pool tells about its connections (`pg.Pool` has these). */
export interface PoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { max?: number | undefined };
}

/** The pools reported to each registry; the gauges are defined with the first. */
const trackedPools = new WeakMap<Registry, Set<PoolStats>>();

/** pg's own default for `max`. */
const PG_DEFAULT_MAX = 10;

/**
 * Reports `pool`'s connections at each scrape (read when scraped, so nothing runs per query):
 * `db_pool_connections{state="used"|"idle"}` (their sum is the open connections),
 * `db_pool_max_connections` and `db_pool_waiting_requests` (queries queued for a connection: the
 * pool is too small or a statement too slow). Several pools in one process add up. Returns the
 * function that stops reporting it (call it when the pool is closed).
 */
export function trackPool(pool: PoolStats, registry: Registry = metricsRegistry): () => void {
  let pools = trackedPools.get(registry);
  if (!pools) {
    const tracked = (pools = new Set<PoolStats>());
    const sum = (read: (pool: PoolStats) => number) => [...tracked].reduce((total, each) => total + read(each), 0);
    defineGauge({
      registry,
      name: 'db_pool_connections',
      help: 'Open PostgreSQL connections of the pool, by state (used: running a statement or transaction, idle)',
      labelNames: ['state'],
      collect() {
        this.set({ state: 'used' }, sum((each) => each.totalCount - each.idleCount));
        this.set({ state: 'idle' }, sum((each) => each.idleCount));
      },
    });
    defineGauge({
      registry,
      name: 'db_pool_max_connections',
      help: 'Most connections the pool may open',
      collect() {
        this.set(sum((each) => each.options.max ?? PG_DEFAULT_MAX));
      },
    });
    defineGauge({
      registry,
      name: 'db_pool_waiting_requests',
      help: 'Queries and transactions waiting for a free connection of the pool',
      collect() {
        this.set(sum((each) => each.waitingCount));
      },
    });
    trackedPools.set(registry, pools);
  }
  pools.add(pool);
  return () => {
    pools.delete(pool);
  };
}
