import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { capturingLogger } from '../../test/support/logger.js';
import { startDatabaseRelay } from '../../test/support/tcp-relay.js';

const SERVER_URL = process.env.TEST_DATABASE_URL;
const UNAVAILABLE = { extensions: { code: 'SERVICE_UNAVAILABLE' } };

describe.skipIf(!SERVER_URL)('a service whose PostgreSQL cannot answer (TEST_DATABASE_URL)', () => {
  it('answers SERVICE_UNAVAILABLE while the server is gone, logs the outage once, and answers again once it is back', async () => {
    const relay = await startDatabaseRelay(SERVER_URL!);
    const { lines, logger } = capturingLogger();
    const db = await openDatabase({ url: relay.url, maxConnections: 2, connectTimeoutMs: 1_000, logger });
    try {
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await relay.cut();
      await expect(db.query('SELECT 1 AS one')).rejects.toMatchObject(UNAVAILABLE);
      await expect(db.query('SELECT 1 AS one', [], { prepare: true })).rejects.toMatchObject(UNAVAILABLE);
      await expect(db.transaction((tx) => tx.query('SELECT 1 AS one'))).rejects.toMatchObject(UNAVAILABLE);
      expect(lines.filter((line) => line.msg.startsWith('the database is unavailable'))).toHaveLength(1);

      await relay.mend();
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await db.transaction((tx) => tx.query('SELECT 2 AS two'))).toEqual([{ two: 2 }]);
      expect(lines.filter((line) => line.msg === 'the database answers again')).toHaveLength(1);
    } finally {
      await db.close();
      await relay.cut();
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
