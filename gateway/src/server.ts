import type { Request } from 'express';
import type { CorsOptions } from 'cors';
import type { ApolloServer } from '@apollo/server';
import { Kind, parse, type DocumentNode } from 'graphql';
import {
  createCircuitBreaker,
  createHttpService,
  isTracing,
  UnauthenticatedError,
  viewerFromAuthorization,
  type BreakerOptions,
  type BreakerState,
  type CircuitBreaker,
  type Logger,
  type RequestInfo,
  type VerifyToken,
  type Viewer,
} from '@shop/service-kit';
import { createSubgraphClient } from './subgraph-client.js';
import { SubgraphDataSource } from './subgraph-data-source.js';
import { servedSupergraphDetails, subgraphReadiness } from './readiness.js';
import { ReloadableGateway } from './reloadable-gateway.js';
import type { SubgraphOverrides } from './subgraph-routing.js';
import type { SupergraphSource } from './supergraph-source.js';
import { onlyPersistedDocuments, persistedDocumentStore, type PersistedDocuments } from './persisted-documents.js';
import { documentLimits, type DocumentLimits } from './document-limits.js';
import { consume, createRateLimiters, requestRateLimit, type RateLimitOptions } from './rate-limits.js';
import { operationGuard } from './operation-guard.js';
import { addressKey } from './address-key.js';
import type { GatewayContext } from './context.js';
import { anonymousResponseCache } from './response-cache.js';
import { createEntityCache, entityCacheInvalidation } from './entity-cache.js';
import { pollSessionRevocations, refusingRevokedSessions } from './session-revocations.js';
import { valueCompletionToLog } from './value-completion.js';
import { AUTHORIZATION_OUTCOMES_BYTES, boundedCache, MiB, objectEntryBytes, OPERATION_COST_FORMULAS_BYTES } from './memory-budget.js';
import { declaredAuthorization, type AuthorizationOptions } from './authorization/declared-authorization.js';
import { createSubscriptions, type SubscriptionSettings } from './subscriptions/subscriptions.js';
import { demandControl } from './demand-control/demand-control.js';
import type { DemandControlSettings } from './demand-control/demand-control-settings.js';
import { operationCosts } from './demand-control/operation-costs.js';

export interface GatewayServiceDeps {
  logger: Logger;
  /** Where the composed supergraph comes from; served as is (never introspected from subgraphs) and reloaded when it changes. */
  supergraph: SupergraphSource;
  /** Endpoints that replace the supergraph's routing URLs, by subgraph. */
  subgraphOverrides: SubgraphOverrides;
  /** A signal that reloads the supergraph (SIGHUP for the service). */
  reloadSignal?: NodeJS.Signals;
  /** Checks a request's token; absent (no keys configured), every request that sends one is refused. */
  verifyToken?: VerifyToken;
  /** Where ended sessions and changed roles are listed (the users service's feed), how often to ask, and how many to remember; absent, none is asked and a token counts until it expires. */
  sessionRevocations?: { url: string; intervalMs: number; maxEntries: number };
  sandbox: boolean;
  /** Longest one subgraph call may take. */
  subgraphTimeoutMs: number;
  subgraphConnections: number;
  /** Identical subgraph reads in flight at once share one call. */
  deduplicateSubgraphReads: boolean;
  /** The circuit breaker each subgraph gets. */
  subgraphBreaker: BreakerOptions;
  maxBodyBytes?: number;
  shutdownTimeoutMs?: number;
  /** The SDK's documents, served by hash; with `onlyListed`, the only documents served at all. */
  persistedDocuments?: { documents: PersistedDocuments; onlyListed: boolean };
  documentLimits: DocumentLimits;
  /** What an operation may cost by its estimate (MAX_OPERATION_COST), and whether one above is refused or only measured. */
  demandControl: DemandControlSettings;
  rateLimits: RateLimitOptions;
  /** Memory for whole answers to anonymous catalogue queries (see response-cache.ts); 0 turns the cache off. */
  responseCacheMegabytes: number;
  /** Memory for public entities shared across clients (ENTITY_CACHE_MB); 0 keeps none. */
  entityCacheMegabytes: number;
  /** Memory for parsed documents (DOCUMENT_CACHE_MB), query plans (QUERY_PLAN_CACHE_MB) and run-time registered persisted queries (PERSISTED_QUERIES_CACHE_MB). */
  documentCacheMegabytes: number;
  queryPlanCacheMegabytes: number;
  persistedQueriesCacheMegabytes: number;
  /** How the supergraph's @authenticated, @requiresScopes and @policy are enforced. */
  authorization: AuthorizationOptions;
  /** Browser origins allowed to call /graphql: a list, or any (`true`). */
  corsOrigins: string[] | true;
  /** Express's "trust proxy": which hops may say who the client is (X-Forwarded-For). */
  trustedProxies: string[] | number;
  /** Subscriptions' bounds, heartbeat and token checks. */
  subscriptions: SubscriptionSettings;
  /** The named `@override` labels on for every request (OVERRIDE_LABELS); `percent(x)` ones are decided per shopper. */
  overrideLabels?: readonly string[];
}

/** The gateway, ready to listen; tests start it on a free port. */
export async function createGatewayService(deps: GatewayServiceDeps) {
  // @apollo/gateway reports usage and probes cloud metadata addresses unless told not to; a
  // user may opt in by setting it to false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const subgraphClient = createSubgraphClient({
    connections: deps.subgraphConnections,
    timeoutMs: deps.subgraphTimeoutMs,
    deduplicateReads: deps.deduplicateSubgraphReads,
  });
  // One breaker per subgraph, made here rather than in buildService so it outlives any rebuild of the services.
  const breakers = new Map<string, CircuitBreaker>();
  const breakerOf = (name: string) => {
    let breaker = breakers.get(name);
    if (!breaker) {
      breaker = createCircuitBreaker({ ...deps.subgraphBreaker, name: `subgraph ${name}`, context: { subgraph: name }, logger: deps.logger });
      breakers.set(name, breaker);
    }
    return breaker;
  };
  // Made here, like the breakers, so that it outlives a reload of the supergraph.
  const entityCache = deps.entityCacheMegabytes > 0 ? createEntityCache(deps.entityCacheMegabytes) : undefined;
  // The gateway is made below, with the executor this wraps; the rules are read off the supergraph it serves.
  const rulesOf: Parameters<typeof declaredAuthorization>[0]['rulesOf'] = (schema) => gateway.authorizationRulesOf(schema);
  const authorization = declaredAuthorization({ ...deps.authorization, logger: deps.logger, cacheBytes: AUTHORIZATION_OUTCOMES_BYTES, rulesOf });
  const subscriptions = createSubscriptions({
    settings: deps.subscriptions,
    logger: deps.logger,
    federationOf: (schema) => gateway.federationOf(schema),
    // An open subscription's token is checked again as a new request's would be (verifyToken is made below).
    verifyAuthorization: (header) => viewerFromAuthorization(header, verifyToken),
    openTimeoutMs: deps.subgraphTimeoutMs,
  });
  const gateway = new ReloadableGateway({
    source: deps.supergraph,
    overrides: deps.subgraphOverrides,
    dataSource: (name, url) => new SubgraphDataSource(name, url, subgraphClient, breakerOf(name), deps.logger, entityCache),
    logger: deps.logger,
    ...(deps.reloadSignal ? { reloadSignal: deps.reloadSignal } : {}),
    // The first requests after a start or a reload should not be the ones that plan.
    ...(deps.persistedDocuments ? { planAhead: deps.persistedDocuments.documents } : {}),
    queryPlanCacheBytes: deps.queryPlanCacheMegabytes * MiB,
    // Subscriptions around declared authorization, so each event is authorized as a query's answer is.
    wrapExecutor: (execute) => subscriptions.wrapExecutor(execute, authorization.executor),
    ...(deps.verifyToken ? {} : { authorizationUnavailable: 'this gateway has no keys to verify tokens with (set JWKS_URL or JWKS)' }),
    ...(deps.overrideLabels ? { overrideLabels: deps.overrideLabels } : {}),
  });
  const revocations = deps.sessionRevocations && pollSessionRevocations({ ...deps.sessionRevocations, client: subgraphClient, logger: deps.logger });
  // The first read, before any request: until it succeeds, tokens with a session are refused.
  await revocations?.start();
  // Without keys a token cannot be judged: refused, never taken for an anonymous request.
  const verifyToken: VerifyToken = deps.verifyToken
    ? refusingRevokedSessions(deps.verifyToken, revocations)
    : () => Promise.reject(new UnauthenticatedError('This gateway verifies no tokens (set JWKS_URL or JWKS)', 401));
  // One verification per request, shared by the rate limit (its key) and the context (its refusal).
  const viewers = new WeakMap<Request, Promise<Viewer | null>>();
  const viewerOf = (req: Request) => {
    let viewer = viewers.get(req);
    if (!viewer) viewers.set(req, (viewer = viewerFromAuthorization(req.get('authorization'), verifyToken)));
    return viewer;
  };
  const limits = documentLimits(deps.documentLimits);
  // Costed against the supergraph a request was validated on (the gateway is made above).
  const costs = operationCosts({
    cacheBytes: OPERATION_COST_FORMULAS_BYTES,
    defaultListSize: deps.demandControl.defaultListSize,
    supergraphOf: (schema) => gateway.federationOf(schema)?.supergraph().schema,
  });
  const rateLimiters = createRateLimiters(deps.rateLimits, deps.logger);
  const requestKey = async (req: Request) => {
    const viewer = await viewerOf(req).catch(() => null);
    return viewer ? `user:${viewer.userId}` : `address:${addressKey(clientAddress(req))}`;
  };
  const requestLimit = requestRateLimit(rateLimiters.requests, requestKey);
  // Retry-After is not a header a browser lets a cross-origin page read unless it is exposed: a
  // storefront on another origin could not tell the shopper when to try again after RATE_LIMITED.
  const cors: CorsOptions = { origin: deps.corsOrigins, maxAge: 600, exposedHeaders: ['Retry-After'] };
  const persistedDocuments = deps.persistedDocuments?.documents;
  const subgraphsReady = subgraphReadiness(() => gateway.served()?.subgraphs ?? new Map(), subgraphClient);
  /** What runs beside the HTTP service: stopped with it, or at once when it cannot be made. */
  const stopDependencies = async () => {
    await subscriptions.close();
    revocations?.stop();
    for (const breaker of breakers.values()) breaker.close();
    await subgraphClient.close();
    await rateLimiters.close();
  };
  const context = async ({ req, requestId, logger }: RequestInfo): Promise<GatewayContext> => {
    const authorization = req.get('authorization');
    // Checked here so a bad token fails fast; each subgraph checks it again.
    const viewer = await viewerOf(req);
    return {
      requestId,
      logger,
      ...(authorization ? { authorization } : {}),
      ...(viewer ? { userId: viewer.userId, viewer } : {}),
      ...(isTracing() ? {} : clientTraceContext(req)),
      clientAddress: clientAddress(req),
    };
  };
  const service = await createHttpService<GatewayContext>({
    logger: deps.logger,
    graphql: { gateway },
    sandbox: deps.sandbox,
    maxBodyBytes: deps.maxBodyBytes,
    shutdownTimeoutMs: deps.shutdownTimeoutMs,
    cors,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // The SDK's operations are counted by name whatever names other clients invent.
    knownOperations: persistedDocuments ? operationNames(persistedDocuments.values()) : [],
    plugins: [
      ...limits.plugins,
      operationGuard({ maxStringLength: deps.documentLimits.maxStringLength, limiters: rateLimiters }),
      // Ahead of the response cache and the planner: an operation refused for its cost reads no cache and calls no subgraph.
      demandControl(deps.demandControl, costs),
      valueCompletionToLog(),
      // Ahead of the response cache: in reject mode it answers a denied operation before any cache is read.
      authorization.plugin,
      ...(deps.responseCacheMegabytes > 0 ? [anonymousResponseCache(deps.responseCacheMegabytes, authorization.cacheKeyOf)] : []),
      ...(entityCache ? [entityCacheInvalidation(entityCache)] : []),
      subscriptions.plugin,
    ],
    // The request limit needs only the headers (the token, else the address): a client past its
    // allowance is answered before any of its body (up to MAX_BODY_BYTES of JSON) is parsed.
    beforeBody: [requestLimit],
    guards: deps.persistedDocuments?.onlyListed ? [onlyPersistedDocuments(deps.persistedDocuments.documents)] : [],
    transports: [
      // Asked at each request, once the service (and its Apollo Server) is made.
      subscriptions.sseHandler({ apollo: (): ApolloServer<GatewayContext> => service.apollo, context }),
    ],
    documentStore: boundedCache<DocumentNode>(deps.documentCacheMegabytes * MiB, objectEntryBytes),
    persistedQueries: {
      cache: persistedDocumentStore(deps.persistedDocuments?.documents ?? new Map(), {
        onlyListed: deps.persistedDocuments?.onlyListed ?? false,
        registeredBytes: deps.persistedQueriesCacheMegabytes * MiB,
      }),
    },
    context,
    readiness: async () => [...(revocations?.problems() ?? []), ...(await subgraphsReady())],
    readinessDetails: () => servedSupergraphDetails(gateway.served()),
  }).catch(async (error: unknown) => {
    // The revocation poller's timer and Redis's reconnects would otherwise keep a process that failed to start alive.
    await stopDependencies();
    throw error;
  });
  service.app.set('trust proxy', deps.trustedProxies);
  // graphql-ws on /graphql's upgrades: the upgrade and each subscribe message take a request's point; each message runs as a request to /graphql.
  subscriptions.webSocket(
    service.httpServer,
    { apollo: () => service.apollo, context },
    {
      app: service.app,
      admit: async (req) => consume(rateLimiters.requests, await requestKey(req)),
      allowedOrigins: deps.corsOrigins,
      maxPayloadBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    },
  );
  return {
    ...service,
    /** closed | open | halfOpen: the breaker to one subgraph, for logs and tests. */
    subgraphBreakerState: (name: string): BreakerState => breakerOf(name).state(),
    /** What is served now (hash, location, routed subgraphs). */
    servedSupergraph: () => gateway.served(),
    /** Reads the supergraph's source again, as SIGHUP does; resolves once it is served or refused. */
    reloadSupergraph: () => gateway.reload(),
    /** Subscriptions open now (over every transport). */
    openSubscriptions: () => subscriptions.open,
    async stop() {
      await service.stop();
      await stopDependencies();
    },
  };
}

/** The body limit service-kit's /graphql applies when none is given (its express.json limit): a socket's messages are held to the same. */
const DEFAULT_MAX_BODY_BYTES = 1_000_000;

/** The names of the operations in `documents`. */
function operationNames(documents: Iterable<string>): string[] {
  return [...documents].flatMap((document) =>
    parse(document).definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [])),
  );
}

/** W3C Trace Context's traceparent (version 00), its trace and parent ids not all zeros. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
/** The most of tracestate a vendor must pass on (W3C Trace Context). */
const MAX_TRACESTATE = 512;

/** The client's own traceparent and tracestate, when it sent a valid one; anything else is dropped. */
function clientTraceContext(req: Request): Pick<GatewayContext, 'traceContext'> {
  const traceparent = req.get('traceparent')?.trim();
  if (!traceparent || !TRACEPARENT.test(traceparent)) return {};
  const tracestate = req.get('tracestate');
  return { traceContext: { traceparent, ...(tracestate && tracestate.length <= MAX_TRACESTATE ? { tracestate } : {}) } };
}

/** The client's address: the socket's peer, or what trusted proxies say it is. */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
