import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createDatabaseOn, onServer } from '../scripts/databases.js';
import { commandLine, parentPid, processTreeCpuMs } from './proc-stats.js';
import { SUBGRAPHS, type DataLocation, type SubgraphName } from './seed.js';

/**
 * A fresh database per subgraph for one run: with `serverUrl` (BENCH_DATABASE_URL, a PostgreSQL
 * server the bench may create databases on) uniquely named databases that `drop` removes; else
 * PGlite folders under `tempDir` (removed with it). On PostgreSQL, `serverCpu` reads the CPU the
 * server has used so far where it runs on this machine, or says why it cannot (on PGlite there is
 * none: the database runs inside each subgraph's process).
 */
export async function benchDatabases(serverUrl: string | undefined, tempDir: string) {
  const locations = {} as Record<SubgraphName, DataLocation>;
  const created: { name: string; url: string; drop(): Promise<void> }[] = [];
  for (const name of SUBGRAPHS) {
    if (!serverUrl) {
      locations[name] = { dataDir: join(tempDir, name) };
      continue;
    }
    const databaseName = `shop_bench_${randomBytes(4).toString('hex')}_${name}`;
    const database = await createDatabaseOn(serverUrl, databaseName);
    created.push({ ...database, name: databaseName });
    locations[name] = { url: database.url };
  }
  return {
    locations,
    serverCpu: created[0] && (await serverCpuOf(created[0])),
    drop: async () => {
      for (const database of created) await database.drop();
    },
  };
}

export type ServerCpu = { readMs: () => number | undefined } | { notMeasured: string };

/**
 * The CPU of the PostgreSQL server holding `database`, read from its processes where it runs on
 * this machine. The server is the parent of the process serving a connection to the run's own
 * database, whose title names that database: a server in a container or on another host has no
 * such process here (and a pid that happens to match names another process).
 */
async function serverCpuOf(database: { name: string; url: string }): Promise<ServerCpu> {
  return onServer(database.url, async (client) => {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // Read while the connection, so its process, is still open.
    let server: number | undefined;
    try {
      if (commandLine(backend).includes(database.name)) server = parentPid(backend);
    } catch {
      // No such process here.
    }
    if (server === undefined) return { notMeasured: `its connections' processes are not on this machine (another host, or a container)` };
    return {
      readMs: () => {
        try {
          return processTreeCpuMs(server);
        } catch {
          // The server went away: the run's figures go on without it.
          return undefined;
        }
      },
    };
  });
}
