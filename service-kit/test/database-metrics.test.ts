import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parseScrape } from '../../test/support/prometheus.js';
import { observeStatement, statementOperation, timeStatement, trackPool, type PoolStats } from '../src/database-metrics.js';

const scrapeOf = async (registry: Registry) => parseScrape(await registry.metrics());

describe('statementOperation', () => {
  it.each([
    ['SELECT 1', 'SELECT'],
    ['\n      select id FROM orders', 'SELECT'],
    ['INSERT INTO orders (id) VALUES ($1)', 'INSERT'],
    ['UPDATE orders SET status = $2', 'UPDATE'],
    ['DELETE FROM orders', 'DELETE'],
    ['WITH moved AS (UPDATE stock SET n = n - 1 RETURNING id) SELECT * FROM moved', 'WITH'],
    ['BEGIN', 'BEGIN'],
    ['commit', 'COMMIT'],
    ['ROLLBACK', 'ROLLBACK'],
    ['CREATE TABLE IF NOT EXISTS schema_migrations (version int)', 'CREATE'],
  ])('names %j %s', (sql, operation) => {
    expect(statementOperation(sql)).toBe(operation);
  });

  it.each([['VACUUM ANALYZE orders'], ['-- a migration\nCREATE TABLE t ()'], [''], ['   '], ['EXPLAINANALYSE SELECT 1'], ['42']])(
    'names anything else (%j) OTHER, so the label stays bounded',
    (sql) => {
      expect(statementOperation(sql)).toBe('OTHER');
    },
  );
});

describe('statement durations', () => {
  it('observes each statement by database, operation and outcome', async () => {
    const registry = new Registry();
    observeStatement('pglite', 'SELECT', 0.0004, 'success', registry);
    observeStatement('pglite', 'SELECT', 0.002, 'success', registry);
    observeStatement('postgres', 'INSERT', 0.01, 'error', registry);
    const metrics = await scrapeOf(registry);
    expect(metrics.type('db_statement_duration_seconds')).toBe('HISTOGRAM');
    expect(metrics.count('db_statement_duration_seconds', { database: 'pglite', operation: 'SELECT', outcome: 'success' })).toBe(2);
    expect(metrics.count('db_statement_duration_seconds', { database: 'postgres', operation: 'INSERT', outcome: 'error' })).toBe(1);
  });

  it('times a statement that succeeds and returns its result', async () => {
    const registry = new Registry();
    await expect(timeStatement('postgres', 'UPDATE orders SET x = 1', async () => ({ rows: [1] }), registry)).resolves.toEqual({ rows: [1] });
    expect((await scrapeOf(registry)).count('db_statement_duration_seconds', { operation: 'UPDATE', outcome: 'success' })).toBe(1);
  });

  it('times a statement that fails as an error and rethrows its error', async () => {
    const registry = new Registry();
    const failure = new Error('duplicate key');
    await expect(
      timeStatement('pglite', 'INSERT INTO users (email) VALUES ($1)', async () => Promise.reject(failure), registry),
    ).rejects.toBe(failure);
    expect((await scrapeOf(registry)).count('db_statement_duration_seconds', { database: 'pglite', operation: 'INSERT', outcome: 'error' })).toBe(1);
  });
});

describe('trackPool', () => {
  const pool = (stats: Omit<PoolStats, 'options'>, max?: number): PoolStats => ({ ...stats, options: { max } });

  it('reports used, idle, waiting and the most connections at each scrape, from the pool as it is then', async () => {
    const registry = new Registry();
    const live = { totalCount: 3, idleCount: 1, waitingCount: 0, options: { max: 8 } };
    trackPool(live, registry);
    let metrics = await scrapeOf(registry);
    expect(metrics.type('db_pool_connections')).toBe('GAUGE');
    expect(metrics.value('db_pool_connections', { state: 'used' })).toBe(2);
    expect(metrics.value('db_pool_connections', { state: 'idle' })).toBe(1);
    expect(metrics.value('db_pool_max_connections')).toBe(8);
    expect(metrics.value('db_pool_waiting_requests')).toBe(0);

    Object.assign(live, { totalCount: 8, idleCount: 0, waitingCount: 5 });
    metrics = await scrapeOf(registry);
    expect(metrics.value('db_pool_connections', { state: 'used' })).toBe(8);
    expect(metrics.value('db_pool_connections', { state: 'idle' })).toBe(0);
    expect(metrics.value('db_pool_waiting_requests')).toBe(5);
  });

  it("adds up several pools, takes pg's default of 10 for a pool without max, and forgets a pool once untracked", async () => {
    const registry = new Registry();
    trackPool(pool({ totalCount: 2, idleCount: 2, waitingCount: 0 }), registry);
    const untrack = trackPool(pool({ totalCount: 4, idleCount: 1, waitingCount: 2 }, 4), registry);
    let metrics = await scrapeOf(registry);
    expect(metrics.value('db_pool_connections', { state: 'used' })).toBe(3);
    expect(metrics.value('db_pool_connections', { state: 'idle' })).toBe(3);
    expect(metrics.value('db_pool_max_connections')).toBe(14);
    expect(metrics.value('db_pool_waiting_requests')).toBe(2);

    untrack();
    metrics = await scrapeOf(registry);
    expect(metrics.value('db_pool_connections', { state: 'used' })).toBe(0);
    expect(metrics.value('db_pool_max_connections')).toBe(10);
    expect(metrics.value('db_pool_waiting_requests')).toBe(0);
  });
});
