import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { SubgraphName } from '@shop/service-kit';
import { createDatabaseOn } from '../../scripts/databases.js';
import { templateArchive } from './templates.js';

/** Where a test's service keeps its data: a fresh PostgreSQL database, or PGlite in memory. */
export interface TestDatabase {
  /** A postgres:// URL, or undefined for in-memory PGlite. */
  url: string | undefined;
  /** In-memory PGlite only: the archive it starts from (a copy of the service's template). */
  archive?: Blob | undefined;
  drop(): Promise<void>;
}

const uniqueName = (service: string) => `shop_test_${randomBytes(6).toString('hex')}_${service}`;

/**
 * An empty database, as a new installation has: with TEST_DATABASE_URL (a server the tests may
 * create databases on), a uniquely named new database that `drop` removes again, so runs never
 * see each other's data; else PGlite in memory.
 */
export async function createTestDatabase(service: string): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return { url: undefined, drop: async () => {} };
  return createDatabaseOn(adminUrl, uniqueName(service));
}

/** A service's database as its first start leaves it (migrated, demo data), copied from the run's template. */
export async function createSeededDatabase(service: SubgraphName): Promise<TestDatabase> {
  const templates = inject('templates');
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl && templates.postgres) return createDatabaseOn(adminUrl, uniqueName(service), templates.postgres[service]);
  return { url: undefined, archive: await templateArchive(templates, service), drop: async () => {} };
}

/**
 * The environment that points a service process at a seeded database of its own: DATABASE_URL
 * on PostgreSQL, else DATA_DIR holding a copy of the template's PGlite data directory.
 */
export async function seededServiceData(service: SubgraphName): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const templates = inject('templates');
  const dataDir = await mkdtemp(join(tmpdir(), `shop-${service}-`));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl && templates.postgres) {
    const database = await createDatabaseOn(adminUrl, uniqueName(service), templates.postgres[service]);
    // DATA_DIR still holds what is not in the database (users' development signing key).
    return { env: { DATABASE_URL: database.url, DATA_DIR: dataDir }, drop: async () => {
        await database.drop();
        await removeDir();
      },
    };
  }
  await cp(join(templates.dir, service), dataDir, { recursive: true });
  return { env: { DATA_DIR: dataDir }, drop: removeDir };
}
