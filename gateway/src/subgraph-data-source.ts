import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GraphQLRequestContext } from '@apollo/server';
import { callMetrics, DependencyUnavailable, isBreakerRejection, isErrorCode, REQUEST_ID_HEADER, type CircuitBreaker, type Logger } from '@shop/service-kit';
import type { GatewayContext } from './context.js';
import type { SubgraphClient, SubgraphReply } from './subgraph-client.js';
import { unavailableAnswer, type SubgraphAnswer } from './unavailable-answer.js';
import { entityFetchOf, parseCacheControl, type EntityCache } from './entity-cache.js';

/** subgraph_calls_total and subgraph_call_duration_seconds, by subgraph and outcome. */
const recordCall = callMetrics('subgraph');

/**
 * A subgraph as the gateway calls it: over the shared keep-alive pool, through its circuit
 * breaker, carrying the client's token, the request id and the trace context. A subgraph that
 * cannot serve (refused, reset, timed out, 5xx, breaker open) answers SERVICE_UNAVAILABLE on
 * exactly the paths it was asked to fill, never with a network message; the rest of the
 * client's response still comes from the subgraphs that work.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly client: SubgraphClient,
    private readonly breaker: CircuitBreaker,
    private readonly logger: Logger,
    /** Public entities shared across clients; none are kept without it. */
    private readonly entityCache?: EntityCache,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphAnswer> {
    const { entityCache } = this;
    const entities = entityCache && entityFetchOf(options.request);
    if (!entityCache || !entities) return (await this.fetch(options)).answer;
    const incoming = 'incomingRequestContext' in options ? options.incomingRequestContext : undefined;
    return entityCache.serve(
      this.name,
      entities,
      {
        fresh: /\bno-(cache|store)\b/i.test(incoming?.request.http?.headers.get('cache-control') ?? ''),
        restrict: (cacheControl) => incoming && restrictCachePolicy(incoming, cacheControl),
      },
      (representations) => this.fetch({ ...options, request: { ...options.request, variables: { ...options.request.variables, representations } } }),
    );
  }

  /** One call to the subgraph, its answer (SERVICE_UNAVAILABLE on its paths when it cannot serve) and its Cache-Control. */
  private async fetch(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<{ answer: SubgraphAnswer; cacheControl: string | undefined }> {
    const startedAt = performance.now();
    try {
      const call = this.callOf(options);
      const reply = await this.breaker.run(async () => {
        const answer = await this.client.call(call).catch((error: unknown) => {
          // No HTTP answer at all: refused, reset or past the deadline.
          throw new DependencyUnavailable(this.name, 'gave no answer', { cause: error });
        });
        // Sorted inside the breaker, so that a 5xx or a body that is not GraphQL counts against it.
        return { answer: this.answerOf(answer), cacheControl: answer.cacheControl };
      });
      // Only a client's operation has a response whose cache policy this answer narrows.
      if ('incomingRequestContext' in options) restrictCachePolicy(options.incomingRequestContext, reply.cacheControl);
      recordCall(this.name, Array.isArray(reply.answer.errors) && reply.answer.errors.length > 0 ? 'error' : 'success', startedAt);
      return reply;
    } catch (error) {
      if (!(error instanceof DependencyUnavailable) && !isBreakerRejection(error)) throw error;
      recordCall(this.name, isBreakerRejection(error) ? 'rejected' : 'unavailable', startedAt);
      // Once per failed call, not per entity in it: the request's logger carries its request id.
      const context: Partial<GatewayContext> = options.context;
      const logger = context.logger ?? this.logger;
      logger.warn(
        { subgraph: this.name, reason: isBreakerRejection(error) ? 'circuit breaker open' : error instanceof Error ? error.message : String(error), err: error instanceof Error ? error.cause : undefined },
        'subgraph unavailable: answering SERVICE_UNAVAILABLE on its fields',
      );
      return { answer: unavailableAnswer(this.name, options.request), cacheControl: undefined };
    }
  }

  private callOf({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    if (!request.query) throw new Error('@apollo/gateway sent a subgraph request without a query');
    // Health checks and other gateway-initiated calls carry no request context: nothing to forward.
    const incoming: Partial<GatewayContext> = 'requestId' in context ? context : {};
    const headers: Record<string, string> = { 'content-type': 'application/json', ...forwardedHeaders(incoming) };
    const { query, variables, operationName, extensions } = request;
    return {
      url: this.url,
      headers,
      body: JSON.stringify({ query, variables, operationName, extensions }),
      read: !/^\s*mutation\b/.test(query),
      sharedBy: incoming.authorization ?? '',
    };
  }

  /**
   * Sorts a reply, this call's own parse of it: a GraphQL answer passes on, and so does a non-2xx
   * that is still the subgraph's own coded verdict (a 401, a 400 with codes); anything else is
   * the subgraph being unavailable.
   */
  private answerOf(reply: SubgraphReply): SubgraphAnswer {
    if (reply.status >= 500) throw new DependencyUnavailable(this.name, `answered HTTP ${reply.status}`);
    const answer = parseObject(reply.body);
    if (reply.status < 300) {
      if (!answer) throw new DependencyUnavailable(this.name, 'answered with a body that is not GraphQL');
      return answer;
    }
    const verdict = answer && codedAnswer(answer);
    if (verdict) return verdict;
    // A 4xx that is not GraphQL (a proxy's page, a wrong route): unusable, though it says the host is up.
    throw new DependencyUnavailable(this.name, `answered HTTP ${reply.status} without GraphQL errors`, { countsAgainstBreaker: false });
  }
}

/** What a client's request passes on to every subgraph call it makes: its token, its request id and (when the gateway does not trace) its trace context. */
export function forwardedHeaders(incoming: Partial<GatewayContext>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (incoming.authorization) headers.authorization = incoming.authorization;
  if (incoming.requestId) headers[REQUEST_ID_HEADER] = incoming.requestId;
  if (incoming.traceContext) Object.assign(headers, incoming.traceContext);
  return headers;
}

/** The answer when every error in it carries one of our public codes. */
function codedAnswer(answer: SubgraphAnswer): SubgraphAnswer | undefined {
  const errors: unknown = answer.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const coded = errors.every((error: { message?: unknown; extensions?: { code?: unknown } } | null) => typeof error?.message === 'string' && isErrorCode(error.extensions?.code));
  return coded ? { data: answer.data ?? null, errors: answer.errors } : undefined;
}

function parseObject(body: string): SubgraphAnswer | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    // An object is as far as the gateway checks a subgraph's answer; it reads data and errors itself.
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

type IncomingRequestContext = Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { incomingRequestContext: unknown }>['incomingRequestContext'];

/**
 * The subgraph's Cache-Control header narrows the client response's cache policy (as Apollo's
 * RemoteGraphQLDataSource does): the response is cacheable only as long, and as publicly, as
 * every subgraph answer in it.
 */
function restrictCachePolicy(incoming: IncomingRequestContext, cacheControl: string | undefined): void {
  // The gateway interface types it `any`; it is Apollo Server's own request's cache policy.
  const policy = incoming.overallCachePolicy as GraphQLRequestContext<GatewayContext>['overallCachePolicy'] | undefined;
  if (!policy || !('restrict' in policy)) return;
  const { maxAge, scope } = parseCacheControl(cacheControl);
  policy.restrict({ maxAge, ...(scope ? { scope } : {}) });
}
