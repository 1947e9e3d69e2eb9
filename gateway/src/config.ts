import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { beneath, commonEnv, ConfigError, DEFAULT_METRICS_PORTS, DEFAULT_PORTS, defaultUrl, httpUrlEnv, loadEnv, tokenEnv, type JwkSet } from '@shop/service-kit';
import { DEFAULT_LIMITS } from './document-limits.js';
import { DEFAULT_DOCUMENT_CACHE_MB, DEFAULT_MEMORY_KEYS_PER_LIMITER, memoryBudgetProblems } from './memory-budget.js';
import { DEFAULT_COST_LIST_SIZE, DEFAULT_MAX_OPERATION_COST } from './demand-control/demand-control-settings.js';
import { ENDPOINT_OVERRIDE, type SubgraphOverrides } from './subgraph-routing.js';
import { overrideLabelsEnv } from './override/labels.js';

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A comma-separated list; empty entries dropped. */
const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

/** JWK members that only a private or secret key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 9964's `priv`). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

/**
 * JWKS: a JWK Set as JSON, public keys only (a gateway needs nothing to sign, and a private key
 * in its environment is one more place to leak it from). Each key must be one Node can read, so a
 * pasted key that is cut short is named at start rather than refusing every token later.
 */
const jwkSetEnv = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JWK Set as JSON: {"keys":[...]}' });
      return z.NEVER;
    }
  })
  .pipe(z.object({ keys: z.array(z.looseObject({ kty: z.string() })).min(1) }))
  .superRefine((set, context) => {
    set.keys.forEach((key, index) => {
      const held = PRIVATE_MEMBERS.filter((member) => member in key);
      if (held.length > 0) {
        context.addIssue({ code: 'custom', path: ['keys', index], message: `holds private key members (${held.join(', ')}): give the public keys only` });
        return;
      }
      try {
        createPublicKey({ key, format: 'jwk' });
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['keys', index], message: `is no public key (${error instanceof Error ? error.message : String(error)})` });
      }
    });
  });

/**
 * The SUBGRAPH_<NAME>_URL variables set: named after subgraphs, which only the supergraph knows,
 * so they are found by their form rather than listed.
 */
function endpointOverrides(env: Record<string, string | undefined>): { endpoints: Record<string, string>; problems: string[] } {
  const endpoints: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!ENDPOINT_OVERRIDE.test(name) || value === undefined || value.trim() === '') continue;
    if (httpUrlEnv.safeParse(value).success) endpoints[name] = value;
    else problems.push(`${name}: must be an http(s) URL, the subgraph's GraphQL endpoint`);
  }
  return { endpoints, problems };
}

/** What the gateway reads from its environment: its schema, also read by the configuration reference (npm run docs:reference). */
export const gatewayEnv = {
  ...commonEnv(DEFAULT_PORTS.gateway, DEFAULT_METRICS_PORTS.gateway),
  ...tokenEnv,
  // The shop's services' base URLs: each, when set, routes its subgraph (and USERS_URL is where the users service's keys are, unless JWKS_URL or JWKS says otherwise).
  USERS_URL: httpUrlEnv.optional(),
  // Where the keys that verify tokens are published (a JWK Set), or the set itself: not both.
  JWKS_URL: httpUrlEnv.optional(),
  JWKS: jwkSetEnv.optional(),
  // Where ended sessions are listed (the users service's feed, or one that answers as it does).
  SESSION_REVOCATIONS_URL: httpUrlEnv.optional(),
  PRODUCTS_URL: httpUrlEnv.optional(),
  ORDERS_URL: httpUrlEnv.optional(),
  SUPERGRAPH_PATH: z.string().min(1).optional(),
  SUPERGRAPH_URL: httpUrlEnv.optional(),
  // Within what a Node timer can count, and no tighter than a registry should be asked.
  SUPERGRAPH_POLL_SECONDS: z.coerce.number().min(0.1).max(86_400).default(10),
  // How often the users service is asked which sessions ended: the bound on refusing their tokens (at most 30 s promised).
  SESSION_REVOCATIONS_POLL_SECONDS: z.coerce.number().min(1).max(25).default(5),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().positive().default(128),
  SUBGRAPH_DEDUPLICATION: z.stringbool().default(true),
  SUBGRAPH_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  SUBGRAPH_BREAKER_MIN_CALLS: z.coerce.number().int().min(1).default(5),
  SUBGRAPH_BREAKER_RESET_MS: z.coerce.number().int().positive().default(10_000),
  // Memory for whole answers to anonymous catalogue queries; 0 turns the response cache off.
  RESPONSE_CACHE_MB: z.coerce.number().int().min(0).default(24),
  // Memory for public entities (the catalogue's products) shared by every client; 0 keeps none.
  ENTITY_CACHE_MB: z.coerce.number().int().min(0).default(16),
  // Documents clients register by hash at run time (automatic persisted queries); 0 registers none.
  PERSISTED_QUERIES_CACHE_MB: z.coerce.number().int().min(0).default(4),
  // Parsed and validated documents, by hash, so a repeated one is not parsed again.
  DOCUMENT_CACHE_MB: z.coerce.number().int().min(1).default(DEFAULT_DOCUMENT_CACHE_MB),
  // Query plans of the supergraph served, by document.
  QUERY_PLAN_CACHE_MB: z.coerce.number().int().min(1).default(8),
  // Rate-limit counters each limiter holds in memory (with Redis, while it cannot answer): past it the request limit drops the least recently used, the password limits refuse new clients.
  RATE_LIMIT_MEMORY_KEYS: z.coerce.number().int().min(1000).default(DEFAULT_MEMORY_KEYS_PER_LIMITER),
  // Ended sessions remembered (the users service's feed); past it the oldest go, refused then by expiry only.
  SESSION_REVOCATIONS_MAX: z.coerce.number().int().min(1000).default(10_000),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
  PERSISTED_DOCUMENTS_PATH: z.string().min(1).optional(),
  PERSISTED_DOCUMENTS_ONLY: z.stringbool().default(false),
  MAX_DEPTH: count(DEFAULT_LIMITS.maxDepth),
  MAX_ALIASES: count(DEFAULT_LIMITS.maxAliases),
  MAX_DIRECTIVES: count(DEFAULT_LIMITS.maxDirectives),
  MAX_TOKENS: count(DEFAULT_LIMITS.maxTokens),
  // The most an operation's estimated cost may be (the IBM cost specification, from the supergraph's @cost and @listSize).
  // 16,000 fits every SDK document at any page size it may ask for: the largest, Orders at first: 100, comes to ~15,700.
  MAX_OPERATION_COST: count(DEFAULT_MAX_OPERATION_COST),
  // enforce refuses an operation whose estimate is above MAX_OPERATION_COST, before any subgraph call; measure serves it and only records it.
  DEMAND_CONTROL_MODE: z.enum(['enforce', 'measure']).default('enforce'),
  // The size the estimate assumes for a list that no @listSize bounds (every list of the shop's schema has one).
  COST_DEFAULT_LIST_SIZE: z.coerce.number().int().min(1).max(1000).default(DEFAULT_COST_LIST_SIZE),
  // The longest string an argument or variable may hold; above anything the shop accepts.
  MAX_STRING_ARGUMENT_LENGTH: count(DEFAULT_LIMITS.maxStringLength),
  RATE_LIMIT_REQUESTS: count(600),
  RATE_LIMIT_WINDOW_SECONDS: count(60),
  // login attempts per client address (an IPv6 client per /64), whatever the email.
  LOGIN_ADDRESS_RATE_LIMIT: count(30),
  LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS: count(300),
  LOGIN_RATE_LIMIT: count(10),
  LOGIN_RATE_LIMIT_WINDOW_SECONDS: count(300),
  // login attempts per account (its email), from any number of addresses.
  LOGIN_ACCOUNT_RATE_LIMIT: count(30),
  LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: count(300),
  // register calls per client address (an IPv6 client per /64).
  REGISTER_RATE_LIMIT: count(10),
  REGISTER_RATE_LIMIT_WINDOW_SECONDS: count(3600),
  // Where the counters live in Redis: gateways of different shops sharing one Redis each take their own.
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).default('shop-gateway'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // Express's "trust proxy": a hop count, or addresses / CIDRs / loopback, linklocal, uniquelocal.
  TRUSTED_PROXIES: list.default([]),
  // Browser origins allowed to call /graphql; unset: any in development, none in production.
  CORS_ORIGINS: list.optional(),
  // What a request gets for selections the supergraph's @authenticated, @requiresScopes or @policy deny it: filter answers them null with an error, reject refuses the whole operation.
  AUTHORIZATION_MODE: z.enum(['filter', 'reject']).default('filter'),
  // @override labels (not percent(x): those are decided per shopper) turned on for every request, comma-separated; at most 32, each up to 64 characters.
  OVERRIDE_LABELS: overrideLabelsEnv.default([]),
  // How long a @policy function may take to decide before the policy counts as denied.
  POLICY_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(100),
  // Open subscriptions this replica holds at most (each a socket and a subgraph stream); past it a subscription is refused with SERVICE_UNAVAILABLE.
  // Each holds ~30 KB of heap (bench, 7 Dec): memory-budget.ts refuses more than the heap holds beside full caches (1,000 fit the gateway's 192 MiB).
  SUBSCRIPTIONS_MAX: count(1_000),
  // Open subscriptions one client (its token's user, else its address) holds at most; past it RATE_LIMITED.
  SUBSCRIPTIONS_PER_CLIENT: count(20),
  // Seconds between heartbeats on an idle subscription stream, so proxies keep it open.
  SUBSCRIPTION_HEARTBEAT_SECONDS: z.coerce.number().min(1).max(300).default(15),
  // KiB of events that may wait unread for one subscriber; past it the subscriber is dropped (RATE_LIMITED, SLOW_CONSUMER).
  SUBSCRIPTION_BUFFER_KB: z.coerce.number().int().min(16).max(16_384).default(256),
  // Seconds between checks of open subscriptions' tokens: an ended session's or expired token's streams close within this plus SESSION_REVOCATIONS_POLL_SECONDS.
  SUBSCRIPTION_SESSION_CHECK_SECONDS: z.coerce.number().min(1).max(25).default(5),
};

/** `heapLimitBytes`: the heap the budgets must fit half of; this process's own old generation (memory-budget.ts) unless a test gives one. */
export function loadConfig(env: Record<string, string | undefined>, heapLimitBytes?: number) {
  const { endpoints, problems } = endpointOverrides(env);
  const config = withProblems(problems, () => loadEnv(
    gatewayEnv,
    env,
    (config) => [
      ...(config.SUPERGRAPH_PATH && config.SUPERGRAPH_URL ? ['SUPERGRAPH_URL: set either SUPERGRAPH_PATH or SUPERGRAPH_URL, not both'] : []),
      ...(config.JWKS_URL && config.JWKS ? ['JWKS: set either JWKS_URL or JWKS, not both'] : []),
      ...(config.SESSION_REVOCATIONS_URL && !tokenKeysOf(config).tokenKeys
        ? ['SESSION_REVOCATIONS_URL: this gateway verifies no tokens, so it has no sessions to end: set JWKS_URL, JWKS or USERS_URL too']
        : []),
      ...(config.SESSION_REVOCATIONS_POLL_SECONDS + config.SUBSCRIPTION_SESSION_CHECK_SECONDS > 30
        ? ['SUBSCRIPTION_SESSION_CHECK_SECONDS: with SESSION_REVOCATIONS_POLL_SECONDS it must come to at most 30, the bound on closing an ended session\'s streams']
        : []),
      ...memoryBudgetProblems(config, heapLimitBytes),
    ],
  ));
  const bases = { users: config.USERS_URL, products: config.PRODUCTS_URL, orders: config.ORDERS_URL };
  const subgraphOverrides: SubgraphOverrides = {
    endpoints,
    bases: Object.fromEntries(Object.entries(bases).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  };
  return { ...config, subgraphOverrides, ...tokenKeysOf(config) };
}

type TokenKeySettings = Pick<z.infer<z.ZodObject<typeof gatewayEnv>>, 'NODE_ENV' | 'USERS_URL' | 'JWKS_URL' | 'JWKS' | 'SESSION_REVOCATIONS_URL'>;

/**
 * Where the keys that verify tokens come from (`tokenKeys`: JWKS, JWKS_URL, else the users
 * service's), and where ended sessions are listed (`sessionRevocationsUrl`: SESSION_REVOCATIONS_URL,
 * else the users service's feed when its keys are the ones used). Neither in production without
 * any of these: its users default is this machine, where a deployed users service never is.
 */
function tokenKeysOf(config: TokenKeySettings): { tokenKeys?: { jwks: JwkSet } | { jwksUrl: string }; sessionRevocationsUrl?: string } {
  const revocations = config.SESSION_REVOCATIONS_URL ? { sessionRevocationsUrl: config.SESSION_REVOCATIONS_URL } : {};
  if (config.JWKS) return { tokenKeys: { jwks: config.JWKS }, ...revocations };
  if (config.JWKS_URL) return { tokenKeys: { jwksUrl: config.JWKS_URL }, ...revocations };
  const users = config.USERS_URL ?? (config.NODE_ENV === 'production' ? undefined : defaultUrl('users'));
  if (!users) return {};
  return { tokenKeys: { jwksUrl: beneath(users, '.well-known/jwks.json') }, sessionRevocationsUrl: beneath(users, 'sessions/revocations'), ...revocations };
}

/** Runs `load`, then throws one ConfigError naming its problems and `problems` together. */
function withProblems<Config>(problems: string[], load: () => Config): Config {
  let config: Config;
  try {
    config = load();
  } catch (error) {
    if (error instanceof ConfigError && problems.length > 0) throw new ConfigError([...error.problems, ...problems]);
    throw error;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export type GatewayConfig = ReturnType<typeof loadConfig>;
