import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { AppError, isErrorCode, ServiceUnavailableError, type ErrorCode } from '@shop/service-kit';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { GatewayContext } from './context.js';

/**
 * A subgraph as the gateway calls it: over the shared keep-alive pool, carrying the client's
 * token, the request id and the trace context. A subgraph that cannot be reached (refused,
 * reset, timed out) is SERVICE_UNAVAILABLE, never a leaked network message.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    fetcher: Fetcher,
  ) {
    super({ url, fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    // Health checks and other gateway-initiated calls carry no request context: nothing to forward.
    if (!headers || !('requestId' in context)) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    headers.set('x-request-id', context.requestId);
    headers.set('traceparent', context.traceparent);
  }

  override didEncounterError(error: Error): void {
    const response = error instanceof GraphQLError ? (error.extensions.response as { body?: unknown } | undefined) : undefined;
    if (error instanceof GraphQLError && !response) throw error;
    // A non-2xx answer: pass on the subgraph's own coded error (a 401 is UNAUTHENTICATED), never its URL or body.
    const first = firstError(response?.body);
    if (first) throw new AppError(first.code, first.message);
    throw new ServiceUnavailableError(`The ${this.name} service is unavailable; try again shortly`);
  }
}

function firstError(body: unknown): { code: ErrorCode; message: string } | undefined {
  const errors = (parseJson(body) as { errors?: unknown } | undefined)?.errors;
  const first = Array.isArray(errors) ? (errors[0] as { message?: unknown; extensions?: { code?: unknown } }) : undefined;
  const code = first?.extensions?.code;
  return isErrorCode(code) && typeof first?.message === 'string' ? { code, message: first.message } : undefined;
}

/** The data source parses only `application/json` bodies; GraphQL's own media type arrives as text. */
function parseJson(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
