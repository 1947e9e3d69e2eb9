import { createLogger, DEMO_USERS, migrate, openDatabase, SUBGRAPH_NAMES, type Database, type SubgraphName } from '@shop/service-kit';
import { fileURLToPath } from 'node:url';
import { SUBGRAPH_SERVICES } from '../scripts/services.js';
import { hashPassword } from '../subgraphs/users/src/passwords.js';
import { createUsersRepository } from '../subgraphs/users/src/users-repository.js';

export { SUBGRAPH_NAMES as SUBGRAPHS, type SubgraphName };

/** Where one subgraph keeps its data: a PostgreSQL URL, or a PGlite folder. */
export type DataLocation = { url: string } | { dataDir: string };

const silent = createLogger({ service: 'bench-seed', level: 'silent', format: 'json' });

/**
 * Writes the deterministic demo shop (service-kit's demo-data.ts) into fresh databases, before
 * any service starts, with the services' own migrations and seed functions: the same rows
 * `npm start` seeds in development. One difference: the demo accounts get `password` (random per
 * run) instead of their public demo passwords, because production mode (which the bench runs in,
 * so the services do what they do in production) rightly refuses to start while a demo account
 * opens with its published password. Same ids, names and roles, so the demo orders stay theirs.
 */
export async function seedBenchData(locations: Record<SubgraphName, DataLocation>, password: string): Promise<void> {
  await withDatabase('users', locations.users, async (db) => {
    const users = createUsersRepository(db);
    const passwordHash = await hashPassword(password);
    for (const user of DEMO_USERS) await users.createUser({ ...user, passwordHash });
  });
  await withDatabase('products', locations.products, (db) => SUBGRAPH_SERVICES.products.seed(db, silent));
  await withDatabase('orders', locations.orders, (db) => SUBGRAPH_SERVICES.orders.seed(db, silent));
}

async function withDatabase(name: SubgraphName, location: DataLocation, work: (db: Database) => Promise<void>): Promise<void> {
  const db = await openDatabase('url' in location ? { url: location.url } : { url: undefined, dataDir: location.dataDir });
  try {
    await migrate(db, fileURLToPath(SUBGRAPH_SERVICES[name].migrations));
    await work(db);
  } finally {
    await db.close();
  }
}
