import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

// Light on purpose (Node's own modules only, also exported as '@shop/service-kit/pglite-initdb'):
// `npm start` initialises the services' data directories before it starts them.

const PGLITE = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), 'index.js')).href;

const INITDB = `
  const [pglite, dataDir] = process.argv.slice(1);
  const { PGlite } = await import(pglite);
  await (await PGlite.create(dataDir)).close();
`;

/** Whether `dataDir` holds a PGlite database already. */
export const isPgliteDataDir = (dataDir: string) => existsSync(join(dataDir, 'PG_VERSION'));

/**
 * initdb for a new data directory, in a short-lived process of its own (with the baseline
 * WebAssembly compiler: 5 s of CPU instead of 10), so the ~450 MB initdb leaves behind goes back
 * to the system instead of staying in the service (a worker thread gave back only two thirds).
 */
export async function initialisePgliteDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await promisify(execFile)(process.execPath, ['--liftoff-only', '--input-type=module', '-e', INITDB, PGLITE, dataDir]);
}

/**
 * Initialises those of `dataDirs` that are new: initdb once, its result copied to the others.
 * Every new directory starts as the same empty cluster, and initdb costs seconds of CPU where a
 * copy costs milliseconds (`npm start` on a fresh clone makes three).
 */
export async function initialisePgliteDataDirs(dataDirs: readonly string[]): Promise<void> {
  const [first, ...others] = dataDirs.filter((dir) => !isPgliteDataDir(dir));
  if (first === undefined) return;
  await initialisePgliteDataDir(first);
  await Promise.all(others.map((dir) => cp(first, dir, { recursive: true })));
}
