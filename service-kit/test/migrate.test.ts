import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database, type Queryable } from '../src/db.js';
import { openEmptyPglite } from './support/empty-database.js';
import { migrate } from '../src/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';

async function writeMigrations(directory: string, files: Record<string, string>): Promise<void> {
  await Promise.all(Object.entries(files).map(([name, sql]) => writeFile(join(directory, name), sql)));
}

async function recorded(db: Queryable): Promise<{ version: number; name: string }[]> {
  return db.query('SELECT version, name FROM schema_migrations ORDER BY version');
}

async function tableExists(db: Queryable, table: string): Promise<boolean> {
  const [row] = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
  return row!.exists;
}

/** Migrations numbered so that name order (10 < 2) differs from numeric order, each needing the one before. */
const ORDERED = {
  '10-add-index.sql': 'CREATE INDEX widgets_colour ON widgets (colour);',
  '2-add-colour.sql': "ALTER TABLE widgets ADD COLUMN colour text NOT NULL DEFAULT 'red';",
  '1-create-widgets.sql': 'CREATE TABLE widgets (id integer PRIMARY KEY);',
};

/** Starting PGlite (PostgreSQL in WASM) takes seconds on a busy machine. */
const PGLITE_TIMEOUT = 30_000;

describe('migrate on PGlite', { timeout: PGLITE_TIMEOUT }, () => {
  let directory: string;
  let db: Database;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shop-migrate-'));
    db = await openEmptyPglite();
  }, PGLITE_TIMEOUT);

  afterEach(async () => {
    await db?.close();
    await rm(directory, { recursive: true, force: true });
  }, PGLITE_TIMEOUT);

  it('applies the migrations in numeric order and records each in schema_migrations', async () => {
    await writeMigrations(directory, { ...ORDERED, 'README.md': 'not a migration', 'notes.sql': 'SELECT broken syntax here' });

    const applied = await migrate(db, directory);

    expect(applied).toEqual(['1-create-widgets.sql', '2-add-colour.sql', '10-add-index.sql']);
    expect(await recorded(db)).toEqual([
      { version: 1, name: '1-create-widgets.sql' },
      { version: 2, name: '2-add-colour.sql' },
      { version: 10, name: '10-add-index.sql' },
    ]);
    expect(await tableExists(db, 'widgets_colour')).toBe(true);
  });

  it('applies nothing on a second run and only new files on a later one', async () => {
    await writeMigrations(directory, ORDERED);
    await migrate(db, directory);
    await db.query('INSERT INTO widgets (id) VALUES (1)');

    expect(await migrate(db, directory)).toEqual([]);
    expect(await recorded(db)).toHaveLength(3);
    expect(await db.query('SELECT id FROM widgets')).toEqual([{ id: 1 }]);

    await writeMigrations(directory, { '11-add-size.sql': 'ALTER TABLE widgets ADD COLUMN size integer;' });
    expect(await migrate(db, directory)).toEqual(['11-add-size.sql']);
    expect((await recorded(db)).map((row) => row.version)).toEqual([1, 2, 10, 11]);
  });

  it('reads zero-padded versions as numbers', async () => {
    await writeMigrations(directory, {
      '002-second.sql': 'ALTER TABLE widgets ADD COLUMN colour text;',
      '001-init.sql': 'CREATE TABLE widgets (id integer PRIMARY KEY);',
    });
    expect(await migrate(db, directory)).toEqual(['001-init.sql', '002-second.sql']);
    expect((await recorded(db)).map((row) => row.version)).toEqual([1, 2]);
  });

  it('rolls back the whole run when a migration fails, on a fresh database', async () => {
    await writeMigrations(directory, {
      '1-create-widgets.sql': 'CREATE TABLE widgets (id integer PRIMARY KEY);',
      '2-broken.sql': 'CREATE TABLE gadgets (id integer PRIMARY KEY); INSERT INTO no_such_table VALUES (1);',
    });

    await expect(migrate(db, directory)).rejects.toThrow(/no_such_table/);

    expect(await tableExists(db, 'widgets')).toBe(false);
    expect(await tableExists(db, 'gadgets')).toBe(false);
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
  });

  it('rolls back every migration of the failing run and records none of them', async () => {
    await writeMigrations(directory, { '1-create-widgets.sql': 'CREATE TABLE widgets (id integer PRIMARY KEY);' });
    await migrate(db, directory);
    await writeMigrations(directory, {
      '2-create-gadgets.sql': 'CREATE TABLE gadgets (id integer PRIMARY KEY);',
      '3-broken.sql': 'CREATE TABLE gizmos (id integer PRIMARY KEY); SELECT 1 / 0;',
    });

    await expect(migrate(db, directory)).rejects.toThrow(/division by zero/);

    expect(await tableExists(db, 'widgets')).toBe(true);
    expect(await tableExists(db, 'gadgets')).toBe(false);
    expect(await tableExists(db, 'gizmos')).toBe(false);
    expect(await recorded(db)).toEqual([{ version: 1, name: '1-create-widgets.sql' }]);
  });

  it('refuses two files with the same version and applies nothing', async () => {
    await writeMigrations(directory, {
      '001-create-widgets.sql': 'CREATE TABLE widgets (id integer PRIMARY KEY);',
      '1-create-gadgets.sql': 'CREATE TABLE gadgets (id integer PRIMARY KEY);',
    });

    await expect(migrate(db, directory)).rejects.toThrow(/share version 1/);

    expect(await tableExists(db, 'widgets')).toBe(false);
    expect(await tableExists(db, 'gadgets')).toBe(false);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('migrate on PostgreSQL', () => {
  let directory: string;
  let database: TestDatabase;
  const pools: Database[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'shop-migrate-pg-'));
    database = await createTestDatabase('migrate');
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    await database?.drop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('lets two replicas migrate one database at once, each migration applied and recorded once', async () => {
    await writeMigrations(directory, {
      // No IF NOT EXISTS: a migration that ran twice would fail the run that repeats it.
      '1-create-widgets.sql': 'CREATE TABLE widgets (id integer PRIMARY KEY); SELECT pg_sleep(0.2);',
      '2-add-colour.sql': "ALTER TABLE widgets ADD COLUMN colour text NOT NULL DEFAULT 'red';",
      '3-seed.sql': 'INSERT INTO widgets (id) VALUES (1);',
    });
    const [first, second] = await Promise.all([openDatabase({ url: database.url }), openDatabase({ url: database.url })]);
    pools.push(first, second);

    const results = await Promise.all([migrate(first, directory), migrate(second, directory)]);

    expect(results.flat().sort()).toEqual(['1-create-widgets.sql', '2-add-colour.sql', '3-seed.sql']);
    expect(results.some((names) => names.length === 0)).toBe(true);
    const counts = await first.query<{ version: number; count: string }>(
      'SELECT version, count(*) AS count FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(counts).toEqual([
      { version: 1, count: '1' },
      { version: 2, count: '1' },
      { version: 3, count: '1' },
    ]);
    expect(await second.query('SELECT id, colour FROM widgets')).toEqual([{ id: 1, colour: 'red' }]);
  });
});
