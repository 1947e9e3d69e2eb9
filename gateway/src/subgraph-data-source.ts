import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { isErrorCode, type Logger } from '@shop/service-kit';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { GatewayContext } from './context.js';
import { isBreakerRejection, SubgraphUnavailable, type SubgraphBreaker } from './subgraph-breaker.js';
import { unavailableAnswer, type SubgraphAnswer } from './unavailable-answer.js';

/** A non-2xx answer that is still the subgraph's own GraphQL verdict (a 401, a 400 with codes): passed on as is. */
class SubgraphVerdict extends Error {
  constructor(readonly answer: SubgraphAnswer) {
    super('subgraph answered with coded errors');
  }
}

/**
 * A subgraph as the gateway calls it: over the shared keep-alive pool, through its circuit
 * breaker, carrying the client's token, the request id and the trace context. A subgraph that
 * cannot serve (refused, reset, timed out, 5xx, breaker open) answers SERVICE_UNAVAILABLE on
 * exactly the paths it was asked to fill, never with a network message; the rest of the
 * client's response still comes from the subgraphs that work.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    fetcher: Fetcher,
    private readonly breaker: SubgraphBreaker,
    private readonly logger: Logger,
  ) {
    super({ url, fetcher });
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphAnswer> {
    try {
      return await this.breaker.run(() => super.process(options));
    } catch (error) {
      if (error instanceof SubgraphVerdict) return error.answer;
      if (!(error instanceof SubgraphUnavailable) && !isBreakerRejection(error)) throw error;
      // Once per failed call, not per entity in it: the request's logger carries its request id.
      const context: Partial<GatewayContext> = options.context;
      const logger = context.logger ?? this.logger;
      logger.warn(
        { subgraph: this.name, reason: isBreakerRejection(error) ? 'circuit breaker open' : error instanceof Error ? error.message : String(error), err: error instanceof Error ? error.cause : undefined },
        'subgraph unavailable: answering SERVICE_UNAVAILABLE on its fields',
      );
      return unavailableAnswer(this.name, options.request);
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    // Health checks and other gateway-initiated calls carry no request context: nothing to forward.
    if (!headers || !('requestId' in context)) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    headers.set('x-request-id', context.requestId);
    headers.set('traceparent', context.traceparent);
  }

  /** Sorts a failed call: a coded answer passes on, anything else is the subgraph being unavailable. */
  override didEncounterError(error: Error): void {
    const response = error instanceof GraphQLError ? (error.extensions.response as { status?: number; body?: unknown } | undefined) : undefined;
    if (error instanceof GraphQLError && !response) throw error;
    // No HTTP answer at all: refused, reset, timed out, or a body that is not GraphQL.
    if (!response) throw new SubgraphUnavailable(this.name, 'no usable answer', { cause: error });
    if ((response.status ?? 500) >= 500) throw new SubgraphUnavailable(this.name, `answered HTTP ${response.status}`);
    const verdict = codedAnswer(response.body);
    if (verdict) throw new SubgraphVerdict(verdict);
    // A 4xx that is not GraphQL (a proxy's page, a wrong route): unusable, though it says the host is up.
    throw new SubgraphUnavailable(this.name, `answered HTTP ${response.status} without GraphQL errors`, { countsAgainstBreaker: false });
  }
}

/** The body as a GraphQL answer when every error in it carries one of our public codes. */
function codedAnswer(body: unknown): SubgraphAnswer | undefined {
  const answer = parseJson(body) as { data?: unknown; errors?: unknown } | undefined;
  const errors = answer?.errors;
  if (!answer || !Array.isArray(errors) || errors.length === 0) return undefined;
  const coded = errors.every((error: { message?: unknown; extensions?: { code?: unknown } } | null) => typeof error?.message === 'string' && isErrorCode(error.extensions?.code));
  // Checked just above: a list of errors with string messages and public codes, as GraphQL answers carry.
  return coded ? ({ data: (answer.data ?? null) as SubgraphAnswer['data'], errors } as SubgraphAnswer) : undefined;
}

/** The data source parses only JSON bodies it recognises; anything else arrives as text. */
function parseJson(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
