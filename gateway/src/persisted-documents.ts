import { readFile } from 'node:fs/promises';
import type { RequestHandler } from 'express';
import { InMemoryLRUCache, PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { sha256Hex } from './sha256.js';

/** Document text by the hex SHA-256 of that text: the manifest codegen writes for the SDK. */
export type PersistedDocuments = ReadonlyMap<string, string>;

/**
 * Reads a persisted-documents manifest (`{ "<sha256>": "<document>" }`). Every hash is checked
 * against its text, so a hand-edited or corrupted manifest stops the start instead of serving a
 * document under a hash clients did not mean.
 */
export async function loadPersistedDocuments(file: string | URL): Promise<PersistedDocuments> {
  const manifest: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new Error(`${String(file)} is not a persisted-documents manifest (an object of hash to document)`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(manifest)) {
    if (typeof document !== 'string' || sha256Hex(document) !== hash) {
      throw new Error(`${String(file)}: the document under ${hash} does not have that SHA-256 hash`);
    }
    documents.set(hash, document);
  }
  return documents;
}

/**
 * The store behind Apollo's persisted-query extension: the manifest's documents always, and,
 * unless only listed documents are allowed, those clients register at run time (automatic
 * persisted queries) in a bounded in-memory cache.
 */
export function persistedDocumentStore(documents: PersistedDocuments, { onlyListed }: { onlyListed: boolean }): KeyValueCache {
  const registered = new InMemoryLRUCache<string>();
  const store: KeyValueCache = {
    async get(hash) {
      return documents.get(hash) ?? (onlyListed ? undefined : registered.get(hash));
    },
    async set(hash, document, options) {
      if (!onlyListed && !documents.has(hash)) await registered.set(hash, document, options);
    },
    async delete(hash) {
      return registered.delete(hash);
    },
  };
  // The keys are content hashes of documents: nothing else shares this store, so no prefix is needed.
  return PrefixingKeyValueCache.cacheDangerouslyDoesNotNeedPrefixesForIsolation(store);
}

/**
 * The safelist: a request carrying document text whose hash is not in the manifest is refused
 * before it is parsed. A request by hash alone needs no check: the store above knows only listed
 * documents then. The SDK's documents are all listed, so it works unchanged.
 */
export function onlyPersistedDocuments(documents: PersistedDocuments): RequestHandler {
  return (req, res, next) => {
    const requests: unknown[] = Array.isArray(req.body) ? req.body : [req.method === 'GET' ? req.query : req.body];
    const unlisted = requests.some((request) => {
      const text = (request as { query?: unknown } | undefined)?.query;
      return typeof text === 'string' && !documents.has(sha256Hex(text));
    });
    if (!unlisted) {
      next();
      return;
    }
    res.status(400).json({
      errors: [{ message: 'This gateway serves only the persisted documents of its SDK', extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }],
    });
  };
}
