import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './db.js';

const MIGRATION_FILE = /^(\d+)-[\w-]+\.sql$/;
/** Any fixed number: every replica of every service takes the same lock before migrating. */
const MIGRATION_LOCK_KEY = 7_305_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function readMigrations(directory: string): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => MIGRATION_FILE.test(file));
  const migrations = await Promise.all(
    files.map(async (name) => ({
      version: Number(MIGRATION_FILE.exec(name)?.[1]),
      name,
      sql: await readFile(join(directory, name), 'utf8'),
    })),
  );
  migrations.sort((a, b) => a.version - b.version);
  const duplicate = migrations.find((m, i) => i > 0 && migrations[i - 1]?.version === m.version);
  if (duplicate) throw new Error(`Two migrations share version ${duplicate.version} in ${directory}`);
  return migrations;
}

/**
 * Applies the numbered plain-SQL files of `directory` that have not run yet, in order, each
 * recorded in `schema_migrations`. All of it happens in one transaction under an advisory lock,
 * so replicas starting together on one PostgreSQL wait for each other instead of racing, and a
 * failing migration leaves the schema as it was. Returns the names applied.
 */
export async function migrate(db: Database, directory: string): Promise<string[]> {
  const migrations = await readMigrations(directory);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    return pending.map((m) => m.name);
  });
}
