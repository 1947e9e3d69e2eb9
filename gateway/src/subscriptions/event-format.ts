import { GraphQLError, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { formatStreamedError, type Logger } from '@shop/service-kit';

/**
 * One event as a client may see it, made as Apollo Server makes a query's answer (its
 * normalizeAndFormatErrors, then service-kit's formatError and unexpectedErrorLogging, then
 * value-completion.ts): every error coded, unexpected ones masked and logged once with the
 * request's logger, @apollo/gateway's value-completion notes to the debug log. Events are made
 * after Apollo Server's pipeline has answered the subscribe request, so they pass here instead.
 */
export function formatEvent(result: GatewayExecutionResult, logger: Logger): FormattedExecutionResult {
  const errors = result.errors?.map((error) => formatEventError(error, logger));
  const { valueCompletion, ...extensions } = result.extensions ?? {};
  if (valueCompletion) logger.debug({ valueCompletion }, 'fields nulled by the gateway for missing values');
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
  };
}

function formatEventError(thrown: unknown, logger: Logger): GraphQLFormattedError {
  const error = thrown instanceof GraphQLError ? thrown : new GraphQLError(thrown instanceof Error ? thrown.message : String(thrown), { originalError: thrown instanceof Error ? thrown : undefined });
  return formatStreamedError(error, logger);
}
