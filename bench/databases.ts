import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { SUBGRAPHS, type DataLocation, type SubgraphName } from './seed.js';

/**
 * A fresh database per subgraph for one run: with `serverUrl` (BENCH_DATABASE_URL, a PostgreSQL
 * server the bench may create databases on) uniquely named databases that `drop` removes; else
 * PGlite folders under `tempDir` (removed with it).
 */
export async function benchDatabases(serverUrl: string | undefined, tempDir: string) {
  const locations = {} as Record<SubgraphName, DataLocation>;
  const created: string[] = [];
  for (const name of SUBGRAPHS) {
    if (!serverUrl) {
      locations[name] = { dataDir: join(tempDir, name) };
      continue;
    }
    const database = `shop_bench_${randomBytes(4).toString('hex')}_${name}`;
    await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${database}`));
    created.push(database);
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    locations[name] = { url: url.href };
  }
  return {
    locations,
    drop: async () => {
      for (const database of created) await onServer(serverUrl!, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    },
  };
}

async function onServer(serverUrl: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
