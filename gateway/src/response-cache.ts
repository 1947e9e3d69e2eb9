import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import type { GatewayContext } from './context.js';
import { boundedCache, MiB, stringEntryBytes } from './memory-budget.js';

/** Anonymous, and not asking for a fresh answer (`Cache-Control: no-cache` or `no-store`). */
const mayReadCache = async ({ contextValue, request }: GraphQLRequestContext<GatewayContext>) =>
  !contextValue.authorization && !/\bno-(cache|store)\b/i.test(request.http?.headers.get('cache-control') ?? '');
const mayWriteCache = async ({ contextValue }: GraphQLRequestContext<GatewayContext>) => !contextValue.authorization;

/**
 * Whole answers to anonymous queries, kept in memory (an LRU of `maxMegabytes`) for as long as
 * the answer's merged cache policy allows: each subgraph's Cache-Control (from its @cacheControl
 * hints) narrows it, so only answers every part of which is public and cacheable (the catalogue)
 * are kept, for their shortest maxAge. Signed-in requests never get a whole answer from here
 * (the entity cache, entity-cache.ts, may still serve them public entities such as products). Answers
 * are keyed by declared authorization's outcome too, so none carries one outcome to another. Each replica has
 * its own: the maxAges are seconds, so sharing them through Redis would save little.
 */
export function anonymousResponseCache(maxMegabytes: number, authorizationKeyOf: (requestContext: GraphQLRequestContext<GatewayContext>) => string): ApolloServerPlugin<GatewayContext> {
  return responseCachePlugin<GatewayContext>({
    // What declared authorization made of the request: anonymous requests may still differ by the policies granted.
    extraCacheKeyData: async (requestContext) => authorizationKeyOf(requestContext),
    // Sized by the heap each answer takes (its JSON text and key), not by its length alone.
    cache: boundedCache<string>(maxMegabytes * MiB, stringEntryBytes),
    // No session: answers marked PRIVATE are never kept.
    sessionId: async () => null,
    shouldReadFromCache: mayReadCache,
    shouldWriteToCache: mayWriteCache,
  });
}
