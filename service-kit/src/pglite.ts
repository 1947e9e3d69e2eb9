import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { initialisePgliteDataDir, isPgliteDataDir } from './pglite-initdb.js';

/**
 * Embedded PostgreSQL (PGlite) as every service and test opens it. Three things make it cheaper
 * than `PGlite.create(dataDir)`, measured on the 2-core machine (docs/performance/footprint.md, "What `npm start` costs"):
 * - its WebAssembly is compiled once per process, not once per database (a test process opens
 *   three, and reopens them);
 * - PostgreSQL's buffer cache is 16 MB instead of 160 MB: a service's data is small, and the
 *   cache is memory the process holds whether or not it is used;
 * - a new data directory is initialised (initdb) by a short-lived process of its own, so what
 *   initdb leaves behind goes back to the system (pglite-initdb.ts).
 */
const PGLITE_DIST = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

type CompiledWasm = NonNullable<PGliteOptions['pgliteWasmModule']>;
/** Node's global; @types/node leaves its declaration to TypeScript's DOM library, which services do not load. */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> };

interface Artifacts {
  pgliteWasmModule: CompiledWasm;
  initdbWasmModule: CompiledWasm;
  fsBundle: Blob;
}

let artifacts: Promise<Artifacts> | undefined;

function loadArtifacts(): Promise<Artifacts> {
  artifacts ??= (async () => {
    const [pglite, initdb, fsBundle] = await Promise.all(
      ['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((file) => readFile(join(PGLITE_DIST, file))),
    );
    return {
      pgliteWasmModule: await WebAssembly.compile(pglite!),
      initdbWasmModule: await WebAssembly.compile(initdb!),
      fsBundle: new Blob([fsBundle!]),
    };
  })();
  return artifacts;
}

export interface PgliteLocation {
  /** A folder on disk; in memory when undefined. */
  dataDir?: string | undefined;
  /** A data directory archive (`dumpDataDir`) to start an in-memory database from. */
  archive?: Blob | undefined;
}

/** Opens (creating when new) a PGlite database. */
export async function createPglite({ dataDir, archive }: PgliteLocation): Promise<PGlite> {
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    if (!isPgliteDataDir(dataDir)) await initialisePgliteDataDir(dataDir);
  }
  const options: PGliteOptions = { ...(await loadArtifacts()), startParams: START_PARAMS };
  return PGlite.create({ ...options, ...(dataDir !== undefined ? { dataDir } : {}), ...(archive ? { loadDataDir: archive } : {}) });
}
