import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../src/db.js';
import { capturingLogger } from '../../test/support/logger.js';
import { startDatabaseRelay } from '../../test/support/tcp-relay.js';

const SERVER_URL = process.env.TEST_DATABASE_URL;
const UNAVAILABLE = { extensions: { code: 'SERVICE_UNAVAILABLE' } };

describe.skipIf(!SERVER_URL)('a service whose PostgreSQL cannot answer (TEST_DATABASE_URL)', () => {
  it('answers SERVICE_UNAVAILABLE while the server is gone, logs the outage once, and answers again once it is back', async () => {
    const relay = await startDatabaseRelay(SERVER_URL!);
    const { lines, logger } = capturingLogger();
    try {
      const db = await openDatabase({ url: relay.url, maxConnections: 2, connectTimeoutMs: 1_000, logger });
      onTestFinished(() => db.close());
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      relay.cut();
      await expect(db.query('SELECT 1 AS one')).rejects.toMatchObject(UNAVAILABLE);
      await expect(db.query('SELECT 1 AS one', [], { prepare: true })).rejects.toMatchObject(UNAVAILABLE);
      await expect(db.transaction((tx) => tx.query('SELECT 1 AS one'))).rejects.toMatchObject(UNAVAILABLE);
      expect(lines.filter((line) => line.msg.startsWith('the database cannot take statements'))).toHaveLength(1);

      relay.mend();
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await db.transaction((tx) => tx.query('SELECT 2 AS two'))).toEqual([{ two: 2 }]);
      expect(lines.filter((line) => line.msg === 'the database answers again')).toHaveLength(1);
    } finally {
      await relay.close();
    }
  });

  it('fails a transaction whose connection is lost midway with SERVICE_UNAVAILABLE, and lives on', async () => {
    const relay = await startDatabaseRelay(SERVER_URL!);
    try {
      const db = await openDatabase({ url: relay.url, maxConnections: 1, connectTimeoutMs: 1_000 });
      onTestFinished(() => db.close());
      const transaction = db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        relay.cut();
        // pg emits the lost connection's error on the client the pool handed out: unheard, it would end this process.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return tx.query('SELECT 2');
      });
      await expect(transaction).rejects.toMatchObject(UNAVAILABLE);
      relay.mend();
      // The lost connection was not put back: the pool's one slot opens a new one.
      expect(await db.transaction((tx) => tx.query('SELECT 3 AS three'))).toEqual([{ three: 3 }]);
    } finally {
      await relay.close();
    }
  });

  it('waits for a free connection no longer than its connect timeout, then answers SERVICE_UNAVAILABLE', async () => {
    const db = await openDatabase({ url: SERVER_URL!, maxConnections: 1, connectTimeoutMs: 300 });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = () => {};
    const held = new Promise<void>((resolve) => (holding = resolve));
    // A slow transaction holds the pool's one connection.
    const slow = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      holding();
      await released;
    });
    try {
      await held;
      await expect(db.query('SELECT 1 AS one')).rejects.toMatchObject(UNAVAILABLE);
      await expect(db.transaction((tx) => tx.query('SELECT 1 AS one'))).rejects.toMatchObject(UNAVAILABLE);
      release();
      await slow;
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      release();
      await slow.catch(() => undefined);
      await db.close();
    }
  });
});
