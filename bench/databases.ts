import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createDatabaseOn } from '../scripts/databases.js';
import { SUBGRAPHS, type DataLocation, type SubgraphName } from './seed.js';

/**
 * A fresh database per subgraph for one run: with `serverUrl` (BENCH_DATABASE_URL, a PostgreSQL
 * server the bench may create databases on) uniquely named databases that `drop` removes; else
 * PGlite folders under `tempDir` (removed with it).
 */
export async function benchDatabases(serverUrl: string | undefined, tempDir: string) {
  const locations = {} as Record<SubgraphName, DataLocation>;
  const created: { drop(): Promise<void> }[] = [];
  for (const name of SUBGRAPHS) {
    if (!serverUrl) {
      locations[name] = { dataDir: join(tempDir, name) };
      continue;
    }
    const database = await createDatabaseOn(serverUrl, `shop_bench_${randomBytes(4).toString('hex')}_${name}`);
    created.push(database);
    locations[name] = { url: database.url };
  }
  return {
    locations,
    drop: async () => {
      for (const database of created) await database.drop();
    },
  };
}
