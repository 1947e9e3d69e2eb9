import { openDatabase, type Database } from '../../src/db.js';

let emptyArchive: Promise<Blob> | undefined;

/**
 * A new in-memory PGlite database as initdb leaves it. initdb (seconds) runs once per test
 * process; each call starts a copy of its result (a fraction of that), so tests never share data.
 */
export async function openEmptyPglite(): Promise<Database> {
  emptyArchive ??= (async () => {
    const fresh = await openDatabase({});
    try {
      return await fresh.archive!();
    } finally {
      await fresh.close();
    }
  })();
  return openDatabase({ archive: await emptyArchive });
}
