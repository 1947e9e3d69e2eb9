import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RequestHandler } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, valueFromASTUntyped, type FieldNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { RateLimitedError, type Logger } from '@shop/service-kit';
import type { GatewayContext } from './context.js';
import { rootFields } from './root-fields.js';

/** So many points per window of so many seconds. */
export interface Allowance {
  points: number;
  durationSeconds: number;
}

export interface RateLimitOptions {
  /** Every GraphQL request, per signed-in user, else per client address. */
  requests: Allowance;
  /** `login` attempts, per email and client address. */
  logins: Allowance;
  /** Shared counters across gateway replicas; in this process's memory when absent. */
  redisUrl?: string;
  /** Keeps one deployment's (or one test's) counters apart from another's in a shared Redis. */
  keyPrefix: string;
}

export interface RateLimiters {
  requests: RateLimiterAbstract;
  logins: RateLimiterAbstract;
  /** Resolves once counts are shared (Redis connected); at once without Redis. Until then each replica counts alone. */
  whenShared(): Promise<void>;
  close(): Promise<void>;
}

/**
 * rate-limiter-flexible counters, in Redis when REDIS_URL is set so replicas share them. While
 * Redis cannot answer, each replica counts in its own memory (the insurance limiter) rather than
 * letting everything through or refusing everything.
 */
export function createRateLimiters(options: RateLimitOptions, logger: Logger): RateLimiters {
  const memory = (name: string, allowance: Allowance) =>
    new RateLimiterMemory({ keyPrefix: `${options.keyPrefix}:${name}`, points: allowance.points, duration: allowance.durationSeconds });
  if (!options.redisUrl) {
    return { requests: memory('requests', options.requests), logins: memory('logins', options.logins), whenShared: async () => {}, close: async () => {} };
  }
  // No offline queue: a request waits for Redis no longer than one failed call before the insurance limiter answers.
  const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'rate-limit store (Redis) unavailable: counting in memory meanwhile'));
  const shared = (name: string, allowance: Allowance) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}:${name}`,
      points: allowance.points,
      duration: allowance.durationSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory(name, allowance),
    });
  return {
    requests: shared('requests', options.requests),
    logins: shared('logins', options.logins),
    whenShared: () => (redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()))),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Takes a point for `key`; RATE_LIMITED when there is none left. Store failures are the insurance limiter's. */
export async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    throw rejection;
  }
}

/**
 * Every request to /graphql takes a point before Apollo parses it: the key is the signed-in user
 * (so a user behind a shared address keeps their own allowance), else the client's address as
 * Express derives it under the trusted-proxy setting.
 */
export function requestRateLimit(limiter: RateLimiterAbstract, keyOf: (req: Parameters<RequestHandler>[0]) => Promise<string>): RequestHandler {
  return async (req, res, next) => {
    try {
      await consume(limiter, await keyOf(req));
      next();
    } catch (error) {
      if (!(error instanceof RateLimitedError)) {
        next(error);
        return;
      }
      res
        .status(429)
        .set('retry-after', String(error.retryAfterSeconds))
        .json({ errors: [{ message: error.message, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: error.retryAfterSeconds } }] });
    }
  };
}

/**
 * `login` has its own, smaller allowance per email and client address, taken once the operation
 * is known. The mutations that check the signed-in user's password (`changePassword`, `deleteMe`,
 * and `updateMe` when its input carries `currentPassword`) take from the same allowance, per user
 * whatever the address (whoever holds the token is one principal, however many addresses they
 * send from), so a stolen token cannot be used to guess its user's password any faster than
 * signing in could. Anonymous calls of those check no password (UNAUTHENTICATED first): no point.
 */
export function loginRateLimit(limiter: RateLimiterAbstract): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation || operation.operation !== OperationTypeNode.MUTATION) return;
          for (const field of rootFields(document, operation)) {
            if (field.name.value === 'login') {
              const email = argumentValue(field, 'email', request.variables);
              await consume(limiter, `${email.trim().toLowerCase()}|${contextValue.clientAddress}`);
            } else if (contextValue.userId !== undefined && checksPassword(field, variablesOf(operation, request.variables))) {
              await consume(limiter, `user:${contextValue.userId}`);
            }
          }
        },
      };
    },
  };
}

/**
 * The variables as the operation will see them: the request's, else a definition's default
 * (written in the document, so a client could vary it at every attempt), as a literal value.
 */
function variablesOf(operation: OperationDefinitionNode, given: Record<string, unknown> | undefined): Map<string, unknown> {
  const variables = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const value = given?.[name];
    variables.set(name, value !== undefined ? value : definition.defaultValue && valueFromASTUntyped(definition.defaultValue));
  }
  return variables;
}

/** Whether a root mutation field checks the signed-in user's current password. */
function checksPassword(field: FieldNode, variables: Map<string, unknown>): boolean {
  switch (field.name.value) {
    case 'changePassword':
    case 'deleteMe':
      return true;
    case 'updateMe':
      return carriesField(field.arguments?.find((argument) => argument.name.value === 'input')?.value, 'currentPassword', variables);
    default:
      return false;
  }
}

/** Whether an input object, written inline or given as a variable, has a non-null `name`. */
function carriesField(value: ValueNode | undefined, name: string, variables: Map<string, unknown>): boolean {
  if (value?.kind === Kind.VARIABLE) {
    const given = variables.get(value.name.value);
    return typeof given === 'object' && given !== null && (given as Record<string, unknown>)[name] != null;
  }
  if (value?.kind !== Kind.OBJECT) return false;
  const inner = value.fields.find((field) => field.name.value === name)?.value;
  if (inner?.kind === Kind.VARIABLE) return variables.get(inner.name.value) != null;
  return inner !== undefined && inner.kind !== Kind.NULL;
}

/** A string argument as written or as a variable; '' when it is neither (validation refuses those anyway). */
function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown> | undefined): string {
  const value = field.arguments?.find((argument) => argument.name.value === name)?.value;
  if (value?.kind === Kind.STRING) return value.value;
  if (value?.kind === Kind.VARIABLE) {
    const given = variables?.[value.name.value];
    return typeof given === 'string' ? given : '';
  }
  return '';
}
