import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from './logger.js';
import { AppError, isErrorCode } from './errors.js';

/** Request-level failures Apollo Server raises before execution: all the client's fault. */
const CLIENT_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Codes of the persisted-query protocol (and its safelist): clients depend on them verbatim. */
const PROTOCOL_CODES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_IN_LIST']);

/**
 * Whether an error is a fault of ours that the client must not see in detail. Our AppErrors,
 * errors with a public code, request errors and protocol codes are expected. Apollo Server stamps
 * INTERNAL_SERVER_ERROR on every error without a code, so that code alone proves nothing: only
 * a subgraph's answer (masked and logged there already; it carries serviceName) counts as expected.
 */
export function isUnexpectedError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  if (unwrapResolverError(error) instanceof AppError) return false;
  const code = error.extensions.code;
  if (isErrorCode(code)) return code === 'INTERNAL_SERVER_ERROR' && !('serviceName' in error.extensions);
  return !CLIENT_REQUEST_CODES.has(String(code)) && !PROTOCOL_CODES.has(String(code));
}

/**
 * The one place that turns any error into what a client may see: expected errors pass (without
 * stack traces; request errors as BAD_USER_INPUT), anything else is masked. Logging is the
 * plugin's job below, where the request's logger (with its request id) is at hand.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
  if (isUnexpectedError(error)) {
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  }
  if (CLIENT_REQUEST_CODES.has(String(extensions.code))) return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT' } };
  return { ...formatted, extensions };
}

/** Logs each unexpected error once, with the request's logger (so with its request id). */
export function unexpectedErrorLogging(fallback: Logger): ApolloServerPlugin<{ logger?: Logger }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          const logger = contextValue.logger ?? fallback;
          for (const error of errors) {
            if (isUnexpectedError(error)) logger.error({ err: unwrapResolverError(error), path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}

/**
 * One error of a streamed result (a subscription's event), as a client may see it: what
 * Apollo Server does for an answer on /graphql, which such an event never passes through. An
 * unexpected error is logged once, as unexpectedErrorLogging does, then formatError masks it;
 * the `http` extension, which Apollo drops from answers, is dropped too.
 */
export function formatStreamedError(error: GraphQLError, logger: Logger): GraphQLFormattedError {
  if (isUnexpectedError(error)) logger.error({ err: unwrapResolverError(error), path: error.path }, 'unexpected error');
  const formatted = formatError(error.toJSON(), error);
  const { http: _http, ...extensions } = formatted.extensions ?? {};
  return { ...formatted, extensions };
}

/** An event id fit for a GraphQL over SSE `id:` field, a line of its own: short, and nothing that could end the line. */
export function isSseEventId(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.:-]{1,64}$/.test(value);
}
