import pg from 'pg';

/** A new database `name` on the PostgreSQL server at `adminUrl` (a copy of `template` when given), and how to drop it again. */
export async function createDatabaseOn(adminUrl: string, name: string, template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  await onServer(adminUrl, (client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => dropDatabaseOn(adminUrl, name) };
}

export function dropDatabaseOn(adminUrl: string, name: string): Promise<void> {
  return onServer(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
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
