import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';

describe.skipIf(!process.env.TEST_DATABASE_URL)('named statements on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Database;
  /** The session's prepared statements: one connection in the pool, so always the same session. */
  const prepared = async () => (await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map((row) => row.statement);

  beforeAll(async () => {
    database = await createTestDatabase('statements');
    db = await openDatabase({ url: database.url, maxConnections: 1 });
    await db.exec("CREATE TABLE widgets (id integer PRIMARY KEY); INSERT INTO widgets VALUES (1), (2);");
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('prepares a lookup marked `prepare` once per connection and runs it by name after that', async () => {
    const sql = 'SELECT id FROM widgets WHERE id = $1';
    for (const id of [1, 2, 1]) expect(await db.query(sql, [id], { prepare: true })).toEqual([{ id }]);
    expect((await prepared()).filter((statement) => statement === sql)).toHaveLength(1);
  });

  it("passes on a named statement's own errors", async () => {
    await expect(db.query('SELECT id FROM widgets WHERE id = $1::int', ['not a number'], { prepare: true })).rejects.toMatchObject({ code: '22P02' });
  });

  it("runs a statement again under a new name when a migration changed the columns it reads (a rolling deploy's ALTER TABLE)", async () => {
    const sql = 'SELECT * FROM widgets WHERE id = $1';
    expect(await db.query(sql, [1], { prepare: true })).toEqual([{ id: 1 }]);
    await db.exec("ALTER TABLE widgets ADD COLUMN colour text NOT NULL DEFAULT 'red'");
    // PostgreSQL refuses the named statement ("cached plan must not change result type"): without a fresh name this throws.
    expect(await db.query(sql, [1], { prepare: true })).toEqual([{ id: 1, colour: 'red' }]);
    expect(await db.query(sql, [2], { prepare: true })).toEqual([{ id: 2, colour: 'red' }]);
  });

  it("leaves statements not marked `prepare` and a transaction's statements unnamed", async () => {
    const before = await prepared();
    await db.query('SELECT count(*) FROM widgets WHERE $1::int IS NULL OR id = $1', [null]);
    await db.transaction((tx) => tx.query('SELECT count(*) FROM widgets WHERE id > $1', [0], { prepare: true }));
    expect(await prepared()).toEqual(before);
  });

  it('names nothing when turned off (DATABASE_PREPARED_STATEMENTS=false, for a transaction-mode pooler)', async () => {
    const unnamed = await openDatabase({ url: database.url, maxConnections: 1, preparedStatements: false });
    try {
      expect(await unnamed.query('SELECT id FROM widgets WHERE id > $1 ORDER BY id', [0], { prepare: true })).toEqual([{ id: 1 }, { id: 2 }]);
      expect(await unnamed.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).toEqual([{ n: 0 }]);
    } finally {
      await unnamed.close();
    }
  });
});
