import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, openDatabase, SUBGRAPH_NAMES, type SubgraphName } from '@shop/service-kit';
import { SUBGRAPH_SERVICES } from '../../scripts/services.js';
import { createDatabaseOn, dropDatabaseOn } from '../../scripts/databases.js';
import { testLogger } from './logger.js';
import { seedDemoUsers } from '../../subgraphs/users/src/seed.js';
import { createUsersRepository } from '../../subgraphs/users/src/users-repository.js';
import { MINIMAL_SCRYPT_FOR_TESTS } from '../../subgraphs/users/src/passwords.js';

/**
 * Every subgraph's database as its service leaves it after the first start (migrated, demo data
 * seeded), made once per test run: a stack copies it in milliseconds instead of running initdb,
 * the migrations and the seed again. On PGlite: a data directory per service (for services
 * started as processes) and its archive (for in-memory databases); on PostgreSQL: a template
 * database per service, copied with CREATE DATABASE ... TEMPLATE.
 */
export interface Templates {
  /** `<dir>/<service>/` is a PGlite data directory, `<dir>/<service>.tar` its archive. */
  dir: string;
  /** With TEST_DATABASE_URL: the template database of each service. */
  postgres?: Record<SubgraphName, string> | undefined;
}

export async function makeTemplates(dir: string, postgresAdminUrl: string | undefined): Promise<Templates> {
  const run = randomBytes(4).toString('hex');
  const postgres = postgresAdminUrl ? ({} as Record<SubgraphName, string>) : undefined;
  await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const service = SUBGRAPH_SERVICES[name];
      const location = postgres
        ? { url: (await createDatabaseOn(postgresAdminUrl!, (postgres[name] = `shop_template_${run}_${name}`))).url }
        : { dataDir: join(dir, name) };
      const db = await openDatabase(location);
      try {
        await migrate(db, fileURLToPath(service.migrations));
        // The demo accounts' hashes at the cost the test stack runs with (stack.ts): every file
        // signs in as them, and a stored hash costs what its own parameters say, whatever the service's.
        if (name === 'users') await seedDemoUsers(createUsersRepository(db), testLogger(name), MINIMAL_SCRYPT_FOR_TESTS);
        else await service.seed(db, testLogger(name));
        if (db.archive) {
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, `${name}.tar`), Buffer.from(await (await db.archive()).arrayBuffer()));
        }
      } finally {
        await db.close();
      }
    }),
  );
  return { dir, postgres };
}

export async function dropTemplates(templates: Templates, postgresAdminUrl: string | undefined): Promise<void> {
  if (!templates.postgres || !postgresAdminUrl) return;
  for (const name of Object.values(templates.postgres)) await dropDatabaseOn(postgresAdminUrl, name);
}

const archives = new Map<SubgraphName, Promise<Blob>>();

/** The archive of a service's template, read once per test process. */
export function templateArchive(templates: Templates, name: SubgraphName): Promise<Blob> {
  let archive = archives.get(name);
  if (!archive) archives.set(name, (archive = readFile(join(templates.dir, `${name}.tar`)).then((bytes) => new Blob([bytes]))));
  return archive;
}
