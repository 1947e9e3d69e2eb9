import { fileURLToPath } from 'node:url';
import { entryBeside, type GatewayServiceDefinition } from '@shop/service-kit/definitions';
import type { GatewayConfig } from './config.js';
import type { createGatewayService } from './server.js';
import type { Policies } from './authorization/policies.js';
import type { Logger } from '@shop/service-kit';

/** One number is a hop count; anything else names addresses. */
const trustedProxies = (entries: string[]) => (entries.length === 1 && /^\d+$/.test(entries[0]!) ? Number(entries[0]) : entries);

/**
 * The gateway: composes the subgraphs, authenticates, limits and routes. What it runs on is
 * imported only when it is needed, so reading this definition (`npm start`) loads no service.
 */
export const gatewayService = {
  name: 'gateway',
  entry: entryBeside(import.meta.url),
  // Its heap bounded: unbounded it held 384–451 MB at peak under the bench, bounded 198–212 MB at
  // the same throughput (docs/performance/); --max-old-space-size alone thrashed.
  nodeFlags: ['--max-old-space-size=192', '--max-semi-space-size=16'],
  loadConfig: async (env) => (await import('./config.js')).loadConfig(env),
  /** `policies`: the functions that decide `@policy` names; the shop's registry (./policies.ts) unless given. */
  async create(config, logger, extras: { policies?: Policies } = {}) {
    const [{ createGatewayService }, { loadPersistedDocuments }, { keySetTokenVerifier }, { fileSupergraph, urlSupergraph }] = await Promise.all([
      import('./server.js'),
      import('./persisted-documents.js'),
      import('@shop/service-kit'),
      import('./supergraph-source.js'),
    ]);
    const { tokenKeys, sessionRevocationsUrl } = config;
    // The users service's tokens always carry a role, so one without is refused; another issuer's need none (the gateway judges by scopes).
    const fromUsersService = config.JWKS === undefined && config.JWKS_URL === undefined;
    if (!tokenKeys) {
      logger.info('verifying no tokens: a request with an Authorization header is refused (set JWKS_URL or JWKS, or USERS_URL for the users service\'s keys)');
    } else if (!sessionRevocationsUrl) {
      logger.info('not polling session revocations: a token counts until it expires (set SESSION_REVOCATIONS_URL to refuse ended sessions\' tokens sooner)');
    }
    return createGatewayService({
      logger,
      supergraph: config.SUPERGRAPH_URL
        ? urlSupergraph(config.SUPERGRAPH_URL, config.SUPERGRAPH_POLL_SECONDS)
        : fileSupergraph(config.SUPERGRAPH_PATH ?? fileURLToPath(new URL('../../supergraph.graphql', import.meta.url))),
      subgraphOverrides: config.subgraphOverrides,
      reloadSignal: 'SIGHUP',
      ...(tokenKeys ? { verifyToken: keySetTokenVerifier(tokenKeys, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }, { requireRole: fromUsersService }) } : {}),
      ...(sessionRevocationsUrl
        ? { sessionRevocations: { url: sessionRevocationsUrl, intervalMs: config.SESSION_REVOCATIONS_POLL_SECONDS * 1000, maxEntries: config.SESSION_REVOCATIONS_MAX } }
        : {}),
      authorization: {
        mode: config.AUTHORIZATION_MODE,
        policyTimeoutMs: config.POLICY_TIMEOUT_MS,
        policies: extras.policies ?? (await import('./policies.js')).policies,
      },
      sandbox: config.NODE_ENV !== 'production',
      subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
      subgraphConnections: config.SUBGRAPH_CONNECTIONS,
      deduplicateSubgraphReads: config.SUBGRAPH_DEDUPLICATION,
      subgraphBreaker: {
        errorThresholdPercentage: config.SUBGRAPH_BREAKER_ERROR_PERCENT,
        volumeThreshold: config.SUBGRAPH_BREAKER_MIN_CALLS,
        resetTimeoutMs: config.SUBGRAPH_BREAKER_RESET_MS,
      },
      maxBodyBytes: config.MAX_BODY_BYTES,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      documentLimits: {
        maxDepth: config.MAX_DEPTH,
        maxAliases: config.MAX_ALIASES,
        maxDirectives: config.MAX_DIRECTIVES,
        maxTokens: config.MAX_TOKENS,
        maxStringLength: config.MAX_STRING_ARGUMENT_LENGTH,
        hideSuggestions: config.NODE_ENV === 'production',
      },
      demandControl: {
        mode: config.DEMAND_CONTROL_MODE,
        maxCost: config.MAX_OPERATION_COST,
        defaultListSize: config.COST_DEFAULT_LIST_SIZE,
      },
      rateLimits: {
        requests: { points: config.RATE_LIMIT_REQUESTS, durationSeconds: config.RATE_LIMIT_WINDOW_SECONDS },
        loginAddresses: { points: config.LOGIN_ADDRESS_RATE_LIMIT, durationSeconds: config.LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS },
        logins: { points: config.LOGIN_RATE_LIMIT, durationSeconds: config.LOGIN_RATE_LIMIT_WINDOW_SECONDS },
        loginAccounts: { points: config.LOGIN_ACCOUNT_RATE_LIMIT, durationSeconds: config.LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS },
        registrations: { points: config.REGISTER_RATE_LIMIT, durationSeconds: config.REGISTER_RATE_LIMIT_WINDOW_SECONDS },
        keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
        memoryKeysPerLimiter: config.RATE_LIMIT_MEMORY_KEYS,
        ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
      },
      responseCacheMegabytes: config.RESPONSE_CACHE_MB,
      entityCacheMegabytes: config.ENTITY_CACHE_MB,
      documentCacheMegabytes: config.DOCUMENT_CACHE_MB,
      queryPlanCacheMegabytes: config.QUERY_PLAN_CACHE_MB,
      persistedQueriesCacheMegabytes: config.PERSISTED_QUERIES_CACHE_MB,
      corsOrigins: config.CORS_ORIGINS ?? (config.NODE_ENV === 'production' ? [] : true),
      subscriptions: {
        maxOpen: config.SUBSCRIPTIONS_MAX,
        maxPerClient: config.SUBSCRIPTIONS_PER_CLIENT,
        heartbeatSeconds: config.SUBSCRIPTION_HEARTBEAT_SECONDS,
        bufferKilobytes: config.SUBSCRIPTION_BUFFER_KB,
        sessionCheckSeconds: config.SUBSCRIPTION_SESSION_CHECK_SECONDS,
      },
      trustedProxies: trustedProxies(config.TRUSTED_PROXIES),
      overrideLabels: config.OVERRIDE_LABELS,
      persistedDocuments: {
        documents: await loadPersistedDocuments(
          config.PERSISTED_DOCUMENTS_PATH ?? new URL('../../sdk/src/__generated__/persisted-documents.json', import.meta.url),
        ),
        onlyListed: config.PERSISTED_DOCUMENTS_ONLY,
      },
    });
  },
} satisfies GatewayServiceDefinition<GatewayConfig, Awaited<ReturnType<typeof createGatewayService>>>;

/** The gateway as the service makes it from its configuration, with `@policy` functions of the caller's own. */
export const createGatewayFromConfig = (config: GatewayConfig, logger: Logger, extras: { policies?: Policies }) => gatewayService.create(config, logger, extras);
