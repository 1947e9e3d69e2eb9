import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, OperationTypeNode, valueFromASTUntyped, type GraphQLFormattedError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { defineCounter, isUuid } from '@shop/service-kit';
import type { SubgraphAnswer } from './unavailable-answer.js';
import type { GatewayContext } from './context.js';
import { responseKey, rootFields } from './root-fields.js';
import { sha256Hex } from './sha256.js';
import { ENTITY_QUERY_IDS_BYTES } from './memory-budget.js';

/** A subgraph's Cache-Control, as far as sharing an answer goes. */
export interface CacheControl {
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE' | undefined;
}

export function parseCacheControl(header: string | undefined): CacheControl {
  const directives = new Map((header ?? '').split(',').map((part) => {
    const [name = '', value] = part.trim().toLowerCase().split('=');
    return [name, value] as const;
  }));
  const maxAge = directives.get('max-age');
  return {
    maxAge: maxAge && /^\d+$/.test(maxAge) ? Number(maxAge) : 0,
    scope: directives.has('private') ? 'PRIVATE' : directives.has('public') ? 'PUBLIC' : undefined,
  };
}

/** One entity fetch as the data source makes it: its text and its representations. */
export interface EntityFetch {
  query: string;
  representations: Record<string, unknown>[];
}

/** What a fetch of some representations came to, and the subgraph's Cache-Control for it. */
export interface FetchedEntities {
  answer: SubgraphAnswer;
  cacheControl: string | undefined;
}

interface Entry {
  /** Which entity (`__typename` and `id` of its representation): what `drop` finds it by. */
  entity: string;
  /**
   * The entity as JSON, parsed afresh for each request it serves: @apollo/gateway writes into the
   * objects a fetch returns (and merges later fetches into them), so a shared object would carry
   * one request's data into another's.
   */
  json: string;
}

/** A subgraph entity fetch: `_entities(representations: $representations)`, planned by the gateway. */
const ENTITIES_FETCH = /\{\s*_entities\s*\(\s*representations\s*:\s*\$representations\s*\)/;
/** How long a drop is remembered against fetches that started before it (longer than any fetch). */
const DROP_MEMORY_MS = 60_000;
/**
 * How many drops are remembered at most, and in how much memory: a drop follows a write that
 * succeeded, so these are far more than the writes of a minute. Past them the oldest drop is
 * forgotten first: a fetch that raced it may keep what it got, for its max-age.
 */
const MAX_DROPS_REMEMBERED = 10_000;
const MAX_DROP_MEMORY_BYTES = 2 * 1024 * 1024;

/** The entity a representation names, for dropping it: its type and `id` (as a string, however the id was written). */
const entityOf = (typename: unknown, id: unknown) => `${String(typename)}\n${String(id)}`;

function entityCacheMetrics() {
  return {
    hits: defineCounter({ name: 'gateway_entity_cache_hits_total', help: 'Entities served from the entity cache, by subgraph', labelNames: ['subgraph'] as const }),
    misses: defineCounter({ name: 'gateway_entity_cache_misses_total', help: 'Entities the entity cache did not hold and fetched, by subgraph', labelNames: ['subgraph'] as const }),
    evictions: defineCounter({ name: 'gateway_entity_cache_evictions_total', help: 'Entities dropped from the entity cache to stay within ENTITY_CACHE_MB' }),
  };
}

/** The entity fetch a subgraph request is, if it is one. */
export function entityFetchOf(request: { query?: string; variables?: Record<string, unknown> }): EntityFetch | undefined {
  const representations = request.variables?.representations;
  if (!request.query || !Array.isArray(representations) || !ENTITIES_FETCH.test(request.query)) return undefined;
  return { query: request.query, representations: representations as Record<string, unknown>[] };
}

/**
 * Entities every client may share, per replica: the result of an entity fetch for one
 * representation and one selection, kept for as long as the subgraph's Cache-Control allows when
 * it says `public` (its @cacheControl hints: today the catalogue's Product, 60 s, 5 s with its
 * stock). An answer that is private, uncacheable (users' User) or in error is never kept. Bounded
 * by `maxMegabytes` (least recently used first out).
 */
export function createEntityCache(maxMegabytes: number) {
  const metrics = entityCacheMetrics();
  /** The keys held for each entity, so a drop finds them without reading the whole cache. */
  const keysOfEntity = new Map<string, Set<string>>();
  /** When each entity was last dropped: a fetch that started before may not store what it got. */
  const droppedAt = new LRUCache<string, number>({
    max: MAX_DROPS_REMEMBERED,
    maxSize: MAX_DROP_MEMORY_BYTES,
    // Two bytes per character of the key, and room for the entry around it.
    sizeCalculation: (_at, entity) => 2 * entity.length + 100,
    ttl: DROP_MEMORY_MS,
  });
  const cache = new LRUCache<string, Entry>({
    maxSize: Math.max(1, Math.floor(maxMegabytes * 1024 * 1024)),
    // Two bytes per character of the key and the JSON, and room for the entry around them.
    sizeCalculation: (entry, key) => 2 * (key.length + entry.json.length + entry.entity.length) + 200,
    dispose: (entry, key, reason) => {
      if (reason === 'evict') metrics.evictions.inc();
      const keys = keysOfEntity.get(entry.entity);
      keys?.delete(key);
      if (keys?.size === 0) keysOfEntity.delete(entry.entity);
    },
  });
  /**
   * A short id per subgraph query text, so cache keys do not repeat it: the plans' entity fetches
   * are few, each hashed once. Bounded in bytes (ENTITY_QUERY_IDS_BYTES, in the memory budget):
   * past it the memo starts again.
   */
  const queryIds = new Map<string, string>();
  let queryIdsBytes = 0;
  const queryIdOf = (query: string) => {
    let id = queryIds.get(query);
    if (!id) {
      // 128 bits of the hash: as unlikely to collide as a UUID.
      id = sha256Hex(query).slice(0, 32);
      const bytes = 2 * (query.length + id.length) + 100;
      if (queryIdsBytes + bytes > ENTITY_QUERY_IDS_BYTES) {
        queryIds.clear();
        queryIdsBytes = 0;
      }
      if (bytes <= ENTITY_QUERY_IDS_BYTES) {
        queryIds.set(query, id);
        queryIdsBytes += bytes;
      }
    }
    return id;
  };

  return {
    /**
     * Answers an entity fetch from the cache where it can, and asks `fetch` for the rest only (the
     * answer and its errors put back in the original order); `fresh` (the client's `Cache-Control:
     * no-cache`) asks for all. `restrict` narrows the client's cache policy by the cached entries'.
     */
    async serve(
      subgraph: string,
      entities: EntityFetch,
      options: { fresh: boolean; restrict: (cacheControl: string) => void },
      fetch: (representations: Record<string, unknown>[]) => Promise<FetchedEntities>,
    ): Promise<SubgraphAnswer> {
      const fetchStartedAt = Date.now();
      const queryId = queryIdOf(entities.query);
      const keys = entities.representations.map((representation) => `${subgraph}\n${queryId}\n${JSON.stringify(representation)}`);
      const cached = keys.map((key) => (options.fresh ? undefined : cache.get(key)));
      const missing = cached.flatMap((entry, index) => (entry ? [] : [index]));
      const hits = keys.length - missing.length;
      if (hits > 0) {
        metrics.hits.inc({ subgraph }, hits);
        // Shared only as long as the entry nearest its end still has.
        let remaining = Infinity;
        keys.forEach((key, index) => {
          if (cached[index]) remaining = Math.min(remaining, cache.getRemainingTTL(key));
        });
        options.restrict(`max-age=${Math.floor(remaining / 1_000)}, public`);
      }
      const parsed = cached.map((entry): unknown => (entry ? JSON.parse(entry.json) : null));
      if (missing.length === 0) return { data: { _entities: parsed } };
      metrics.misses.inc({ subgraph }, missing.length);

      const { answer, cacheControl } = await fetch(missing.map((index) => entities.representations[index]!));
      if (hits === 0) {
        store(answer, cacheControl, missing);
        return answer;
      }
      const data = answer.data as { _entities?: unknown } | null | undefined;
      const fetched: unknown[] = Array.isArray(data?._entities) ? (data._entities as unknown[]) : [];
      const merged = parsed;
      missing.forEach((index, position) => {
        merged[index] = fetched[position] ?? null;
      });
      store(answer, cacheControl, missing);
      // An error's path points into the fetch's representations: put it back on the client's entity
      // (an index the fetch did not have is no entity's: the error goes on without a path).
      const errors = answer.errors?.map((error) => {
        if (error.path?.[0] !== '_entities' || typeof error.path[1] !== 'number') return error;
        const index = missing[error.path[1]];
        if (index === undefined) {
          const { path: _path, ...pathless } = error;
          return pathless;
        }
        return { ...error, path: ['_entities', index, ...error.path.slice(2)] };
      });
      return { ...answer, data: { ...(data ?? {}), _entities: merged }, ...(errors ? { errors } : {}) };

      /** Keeps what a public, cacheable answer brought, but no entity an error touches. */
      function store(fetchedAnswer: SubgraphAnswer, header: string | undefined, indexes: number[]): void {
        const policy = parseCacheControl(header);
        if (policy.scope !== 'PUBLIC' || policy.maxAge <= 0) return;
        const values = (fetchedAnswer.data as { _entities?: unknown } | null | undefined)?._entities;
        // As many entities as asked, or none is kept: positions are all that ties one to its key.
        if (!Array.isArray(values) || values.length !== indexes.length) return;
        // An error not on one entity may concern all of them.
        if (fetchedAnswer.errors?.some((error) => typeof error.path?.[1] !== 'number')) return;
        const failed = new Set((fetchedAnswer.errors ?? []).map((error) => error.path?.[1]));
        indexes.forEach((index, position) => {
          const value: unknown = values[position];
          if (value === null || typeof value !== 'object' || failed.has(position)) return;
          const representation = entities.representations[index]!;
          const entity = entityOf(representation.__typename, representation.id);
          // Dropped (a write through this gateway) while this fetch ran: what it got may be older.
          if ((droppedAt.get(entity) ?? 0) >= fetchStartedAt) return;
          const key = keys[index]!;
          cache.set(key, { entity, json: JSON.stringify(value) }, { ttl: policy.maxAge * 1_000 });
          let held = keysOfEntity.get(entity);
          if (!held) keysOfEntity.set(entity, (held = new Set()));
          held.add(key);
        });
      }
    },

    /** Drops every entry of one entity (a write to it went through this gateway); how many went. */
    drop(typename: string, id: unknown): number {
      const entity = entityOf(typename, id);
      droppedAt.set(entity, Date.now());
      let dropped = 0;
      for (const key of [...(keysOfEntity.get(entity) ?? [])]) if (cache.delete(key)) dropped += 1;
      return dropped;
    },

    get size(): number {
      return cache.size;
    },

    /** The memo of query ids: how many texts, and their bytes as counted against ENTITY_QUERY_IDS_BYTES. */
    get queryIds(): { count: number; bytes: number } {
      return { count: queryIds.size, bytes: queryIdsBytes };
    },

    /** The drops remembered against fetches in flight: how many, and their memory in bytes (both bounded). */
    get dropsRemembered(): { count: number; bytes: number } {
      return { count: droppedAt.size, bytes: droppedAt.calculatedSize };
    },
  };
}

export type EntityCache = ReturnType<typeof createEntityCache>;

/**
 * Drops what a mutation through this gateway changed: for each root field with an `id` argument
 * that succeeded (data for it, no error at its own path), the entity of that id of the type the field
 * returns (`updateProduct(id: …): Product!` drops that product), so whoever reads it next here gets
 * it as written. A field that failed (refused, unknown id) changed nothing, so it drops nothing:
 * otherwise anyone could empty the cache of popular products with refused writes. Other replicas
 * keep theirs for at most its max-age.
 */
export function entityCacheInvalidation(cache: EntityCache): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, document, schema, request, response }) {
          const mutationType = schema.getMutationType();
          if (operation?.operation !== OperationTypeNode.MUTATION || !mutationType || !document) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          const { data } = result;
          if (!data) return;
          const fields = mutationType.getFields();
          for (const selection of rootFields(document, operation)) {
            const field = fields[selection.name.value];
            const idArgument = selection.arguments?.find((argument) => argument.name.value === 'id');
            if (!field || !idArgument) continue;
            const key = responseKey(selection);
            if (data[key] == null || failedAt(result.errors, key)) continue;
            const id: unknown = valueFromASTUntyped(idArgument.value, request.variables);
            // The shop's ids are UUIDs, which its subgraphs accept in any case but answer (and so are cached) in lower case.
            cache.drop(getNamedType(field.type).name, typeof id === 'string' && isUuid(id) ? id.toLowerCase() : id);
          }
        },
      };
    },
  };
}

/**
 * Whether a root field failed: an error at its own path (or on none: then it may concern any
 * field). An error deeper in its selection (a field of the written entity that could not be read)
 * leaves the write done.
 */
function failedAt(errors: readonly GraphQLFormattedError[] | undefined, key: string): boolean {
  return (errors ?? []).some((error) => error.path === undefined || (error.path.length === 1 && error.path[0] === key));
}
