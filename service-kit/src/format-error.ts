import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from './logger.js';
import { AppError, isErrorCode } from './errors.js';

/** Request-level failures Apollo Server raises before execution: all the client's fault. */
const CLIENT_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Codes of the automatic-persisted-queries protocol: clients depend on them verbatim. */
const PROTOCOL_CODES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/**
 * The one place that turns any error into what a client may see: our own AppErrors and errors
 * carrying a public code pass through (without stack traces), request errors become
 * BAD_USER_INPUT, and anything else is masked and logged once. Apollo Server stamps
 * INTERNAL_SERVER_ERROR on every error that has no code, so that code alone proves nothing:
 * only a subgraph's answer (already masked and logged there) passes with it.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    const publicCode = isErrorCode(code) && (code !== 'INTERNAL_SERVER_ERROR' || 'serviceName' in extensions);
    if (original instanceof AppError || publicCode || PROTOCOL_CODES.has(String(code))) {
      return { ...formatted, extensions };
    }
    if (CLIENT_REQUEST_CODES.has(String(code))) {
      return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
