import { readFileSync } from 'node:fs';
import type { Express, Request } from 'express';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { ApolloServerPlugin } from '@apollo/server';
import { viewerFromAuthorization, type VerifyToken, type Viewer } from './auth.js';
import { databaseReadiness, type Database } from './db.js';
import { createHttpService, type ServiceContext } from './http-service.js';
import type { Logger } from './logger.js';

/** What every subgraph's resolvers get: the request id, its logger, and who is asking. */
export interface SubgraphContext extends ServiceContext {
  /** Built from the verified Authorization header only; null without one. */
  viewer: Viewer | null;
}

/** What a subgraph needs from the outside; tests pass their own. */
export interface SubgraphDeps {
  db: Database;
  logger: Logger;
  verifyToken: VerifyToken;
  sandbox: boolean;
  shutdownTimeoutMs?: number;
}

export interface SubgraphDefinition<Context extends SubgraphContext> {
  /** schema.graphql: the contract. */
  schemaFile: URL;
  resolvers: object;
  /** Adds the subgraph's own per-request parts (loaders, repositories) to the shared context. */
  context: (shared: SubgraphContext, req: Request) => Context;
  /** Routes beside /graphql; `schema` is the one /graphql serves (another transport of it, say). */
  routes?: (app: Express, schema: GraphQLSchema) => void;
}

/** A subgraph's HTTP service: its schema, token check per request, database readiness. */
export function createSubgraphService<Context extends SubgraphContext>(deps: SubgraphDeps, definition: SubgraphDefinition<Context>) {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(definition.schemaFile, 'utf8')),
    // Codegen's resolver types are stricter than the federation helper's map; the shapes agree.
    resolvers: definition.resolvers as GraphQLResolverMap<unknown>,
  });
  return createHttpService<Context>({
    logger: deps.logger,
    graphql: { schema },
    // Without @cacheControl hints every answer is uncacheable: said at once (no-store, as the
    // plugin would), rather than by wrapping every resolver to compute it per request.
    ...(schema.getDirective('cacheControl') ? {} : { plugins: [ApolloServerPluginCacheControlDisabled(), uncacheableAnswers()] }),
    sandbox: deps.sandbox,
    shutdownTimeoutMs: deps.shutdownTimeoutMs,
    context: async ({ req, requestId, logger }) =>
      definition.context({ requestId, logger, viewer: await viewerFromAuthorization(req.get('authorization'), deps.verifyToken) }, req),
    readiness: databaseReadiness(deps.db),
    ...(definition.routes ? { routes: (app: Express) => definition.routes!(app, schema) } : {}),
  });
}

/** Every answer `Cache-Control: no-store`: what Apollo's cache-control plugin says of an answer without hints. */
function uncacheableAnswers<Context extends SubgraphContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
