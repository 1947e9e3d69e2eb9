import type { Request, Response } from 'express';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { formatStreamedError, type Logger, type RequestInfo } from '@shop/service-kit';
import type { FormattedExecutionResult } from 'graphql';
import type { Deferral } from '../incremental/deferred-execution.js';
import { initialPayload, subsequentPayload, type IncrementalFormat, type Payload } from '../incremental/payloads.js';
import type { GatewayContext } from '../context.js';
import type { FederatedSubscription } from './federated-subscription.js';
import { withTransport, type SubscriptionTransport } from './subscription-executors.js';

/** What one request comes to: Apollo Server's whole answer (JSON text), or an open subscription to stream. */
export type WholeOrSubscription = { kind: 'single'; body: string } | { kind: 'subscription'; subscription: FederatedSubscription };
/** What one request comes to with a transport that accepts parts: also an answer in parts (@defer), the first being Apollo Server's. */
export type OperationAnswer = WholeOrSubscription | { kind: 'parts'; payloads: AsyncGenerator<Payload, void, undefined> };

/** What the transport running a request accepts besides one answer. */
export interface RunOptions {
  /** The shape it sends an answer in parts in; without it, an operation with @defer is answered whole. */
  incremental?: IncrementalFormat;
}

export interface OperationRunnerDeps {
  /** The gateway's Apollo Server; asked for at the first request, once the service is made. */
  apollo: () => ApolloServer<GatewayContext>;
  /** The context /graphql makes for a request: the same verification, addresses and trace context. */
  context: (request: RequestInfo) => Promise<GatewayContext>;
  logger: Logger;
}

/**
 * Runs one GraphQL request of a streaming transport through Apollo Server's own pipeline, as
 * /graphql's would run: persisted documents, parsing with the document limits, validation against
 * the served API schema, every plugin (string lengths, password rate limits, declared
 * authorization, the metrics), then the gateway's executors. Re-implementing that pipeline beside
 * Apollo Server's would let the two drift apart; here a subscription cannot skip a check a query
 * passes. The request is handed over as a POST of JSON whatever the client's method (Apollo
 * Server runs only queries from a GET, and GraphQL over SSE subscribes with a GET too); the
 * executors refuse a mutation the client sent with GET.
 */
export function operationRunner(deps: OperationRunnerDeps): OperationRunner {
  // Typed by its overloads: an answer in parts only where the transport asked for one.
  const run = async (req: Request, res: Response, body: Record<string, unknown>, options: RunOptions = {}): Promise<OperationAnswer> => {
    let opened: FederatedSubscription | undefined;
    let deferral: Deferral | undefined;
    const transport: SubscriptionTransport = {
      method: req.method.toUpperCase(),
      opened: (subscription) => (opened = subscription),
      ...(options.incremental ? { deferred: (parts: Deferral) => (deferral = parts) } : {}),
    };
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    const requestId = String(res.locals.requestId);
    const logger = deps.logger.child({ requestId });
    const answer = await deps.apollo().executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: async () => withTransport(await deps.context({ req, requestId, logger }), transport),
    });
    if (opened) return { kind: 'subscription', subscription: opened };
    // A gateway's answer reaches Apollo Server whole (apollo-server#8185): the parts after the first come from the executor.
    if (answer.body.kind !== 'complete') throw new Error('Apollo Server answered a gateway operation in parts');
    if (deferral && options.incremental) return { kind: 'parts', payloads: payloadsOf(options.incremental, JSON.parse(answer.body.string) as FormattedExecutionResult, deferral, logger) };
    // Its JSON ends with a newline, which an SSE `data` line must not.
    return { kind: 'single', body: answer.body.string.trimEnd() };
  };
  return run as OperationRunner;
}

export interface OperationRunner {
  (req: Request, res: Response, body: Record<string, unknown>): Promise<WholeOrSubscription>;
  (req: Request, res: Response, body: Record<string, unknown>, options: RunOptions): Promise<OperationAnswer>;
}

/**
 * The parts of an answer as its client reads them: Apollo Server's answer to the first (its
 * errors formatted, its plugins run), then each deferred fragment's, its errors coded and masked
 * as Apollo Server's are.
 */
async function* payloadsOf(format: IncrementalFormat, initial: FormattedExecutionResult, deferral: Deferral, logger: Logger): AsyncGenerator<Payload, void, undefined> {
  yield initialPayload(format, initial, deferral.pending);
  for await (const delivery of deferral.deliveries) yield subsequentPayload(format, delivery, (error) => formatStreamedError(error, logger));
}
