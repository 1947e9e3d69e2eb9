import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where a test's service keeps its data: a fresh PostgreSQL database, or in-memory PGlite. */
export interface TestDatabase {
  /** A postgres:// URL, or undefined for in-memory PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * With TEST_DATABASE_URL (a server the tests may create databases on), a uniquely named new
 * database that `drop` removes again, so runs never see each other's data; else PGlite in memory.
 */
export async function createTestDatabase(service: string): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return { url: undefined, drop: async () => {} };
  return createDatabaseOn(adminUrl, `shop_test_${randomBytes(6).toString('hex')}_${service}`);
}

/** A new database `name` on the server at `adminUrl`, and how to drop it again. */
export async function createDatabaseOn(adminUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  await onServer(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () => onServer(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function onServer(adminUrl: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
