import { readFile } from 'node:fs/promises';
import type { Request, RequestHandler } from 'express';
import { PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { searchOf } from '@shop/service-kit';
import { boundedCache, MiB, stringEntryBytes } from './memory-budget.js';
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
 * persisted queries) in an in-memory cache of `registeredBytes` (PERSISTED_QUERIES_CACHE_MB; 0
 * registers none).
 */
export function persistedDocumentStore(documents: PersistedDocuments, { onlyListed, registeredBytes = 4 * MiB }: { onlyListed: boolean; registeredBytes?: number }): KeyValueCache {
  const registered = onlyListed || registeredBytes <= 0 ? undefined : boundedCache<string>(registeredBytes, stringEntryBytes);
  const store: KeyValueCache = {
    async get(hash) {
      return documents.get(hash) ?? registered?.get(hash);
    },
    async set(hash, document, options) {
      if (!documents.has(hash)) await registered?.set(hash, document, options);
    },
    async delete(hash) {
      return registered?.delete(hash) ?? false;
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
    if (documentTexts(req).every((text) => documents.has(sha256Hex(text)))) {
      next();
      return;
    }
    res.status(400).json({
      errors: [{ message: 'This gateway serves only the persisted documents of its SDK', extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }],
    });
  };
}

/**
 * Every document text a request carries, read as Apollo Server reads it (runHttpQuery): a POST's
 * JSON body, or each of a batch's; a GET's `query` parameters from the URL's query string as
 * graphqlEndpoint hands it to Apollo (service-kit's searchOf), in one parse with URLSearchParams, never Express's `req.query`
 * (node:querystring stops at 1,000 parameters, so padding would hide a `query` after them). Every
 * `query` parameter counts, though Apollo refuses more than one. Other methods run nothing.
 */
function documentTexts(req: Request): string[] {
  switch (req.method.toUpperCase()) {
    case 'POST': {
      const bodies: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
      return bodies.flatMap((body) => {
        const query = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
        return typeof query === 'string' ? [query] : [];
      });
    }
    case 'GET':
      return new URLSearchParams(searchOf(req)).getAll('query');
    default:
      return [];
  }
}
