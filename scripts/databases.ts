import pg from 'pg';

/** A new database `name` on the PostgreSQL server at `adminUrl` (a copy of `template` when given), and how to drop it again. */
export async function createDatabaseOn(adminUrl: string, name: string, template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  await onServer(adminUrl, (client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => dropDatabaseOn(adminUrl, name) };
}

export function dropDatabaseOn(adminUrl: string, name: string): Promise<void> {
  return onServer(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/** Runs `work` on a connection of its own to the server at `adminUrl`, closed after. */
export async function onServer<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
