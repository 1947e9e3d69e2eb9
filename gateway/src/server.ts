import { ApolloGateway } from '@apollo/gateway';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { createHttpService, viewerFromAuthorization, type Logger, type VerifyToken } from '@shop/service-kit';
import { createSubgraphFetcher } from './subgraph-fetcher.js';
import { SubgraphDataSource } from './subgraph-data-source.js';
import { createSubgraphBreaker, type BreakerOptions, type BreakerState } from './subgraph-breaker.js';
import { subgraphReadiness } from './readiness.js';
import { outgoingTraceparent } from './trace-context.js';
import { onlyPersistedDocuments, persistedDocumentStore, type PersistedDocuments } from './persisted-documents.js';
import type { GatewayContext } from './context.js';

export interface GatewayServiceDeps {
  logger: Logger;
  /** The composed supergraph (supergraph.graphql); served as is, never introspected from subgraphs. */
  supergraphSdl: string;
  /** GraphQL endpoint per subgraph name, overriding the supergraph's routing URLs. */
  subgraphUrls: Record<string, string>;
  verifyToken: VerifyToken;
  sandbox: boolean;
  /** Longest one subgraph call may take. */
  subgraphTimeoutMs: number;
  subgraphConnections: number;
  /** The circuit breaker each subgraph gets. */
  subgraphBreaker: BreakerOptions;
  maxBodyBytes?: number;
  shutdownTimeoutMs?: number;
  /** The SDK's documents, served by hash; with `onlyListed`, the only documents served at all. */
  persistedDocuments?: { documents: PersistedDocuments; onlyListed: boolean };
}

/** The gateway, ready to listen; tests start it on a free port. */
export async function createGatewayService(deps: GatewayServiceDeps) {
  // @apollo/gateway reports usage and probes cloud metadata addresses unless told not to; a
  // user may opt in by setting it to false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const { fetcher, close: closeFetcher } = createSubgraphFetcher({
    connections: deps.subgraphConnections,
    timeoutMs: deps.subgraphTimeoutMs,
  });
  // One breaker per subgraph, made here rather than in buildService so it outlives any rebuild of the services.
  const breakers = new Map<string, ReturnType<typeof createSubgraphBreaker>>();
  const breakerOf = (name: string) => {
    let breaker = breakers.get(name);
    if (!breaker) breakers.set(name, (breaker = createSubgraphBreaker(name, deps.subgraphBreaker, deps.logger)));
    return breaker;
  };
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraphSdl,
    logger: deps.logger,
    buildService: ({ name, url }) => new SubgraphDataSource(name, deps.subgraphUrls[name] ?? url ?? '', fetcher, breakerOf(name), deps.logger),
  });
  const service = await createHttpService<GatewayContext>({
    logger: deps.logger,
    // @apollo/gateway 2.x implements the gateway interface that @apollo/server 5 expects; only the package versions of the types differ.
    graphql: { gateway: gateway as unknown as GatewayInterface },
    sandbox: deps.sandbox,
    maxBodyBytes: deps.maxBodyBytes,
    shutdownTimeoutMs: deps.shutdownTimeoutMs,
    ...(deps.persistedDocuments && {
      persistedQueries: { cache: persistedDocumentStore(deps.persistedDocuments.documents, deps.persistedDocuments) },
      guards: deps.persistedDocuments.onlyListed ? [onlyPersistedDocuments(deps.persistedDocuments.documents)] : [],
    }),
    context: async ({ req, requestId, logger }) => {
      const authorization = req.get('authorization');
      // Checked here so a bad token fails fast; each subgraph checks it again.
      await viewerFromAuthorization(authorization, deps.verifyToken);
      return {
        requestId,
        logger,
        ...(authorization ? { authorization } : {}),
        traceparent: outgoingTraceparent(req.get('traceparent')),
      };
    },
    readiness: subgraphReadiness(deps.subgraphUrls, fetcher),
  });
  return {
    ...service,
    /** closed | open | halfOpen: the breaker to one subgraph, for logs and tests. */
    subgraphBreakerState: (name: string): BreakerState => breakerOf(name).state(),
    async stop() {
      await service.stop();
      for (const breaker of breakers.values()) breaker.close();
      await closeFetcher();
    },
  };
}
