import type { Request, Response } from 'express';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger, RequestInfo } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import type { FederatedSubscription } from './federated-subscription.js';
import { withTransport, type SubscriptionTransport } from './subscription-executors.js';

/** What one request comes to: Apollo Server's whole answer (JSON text), or an open subscription to stream. */
export type OperationAnswer = { kind: 'single'; body: string } | { kind: 'subscription'; subscription: FederatedSubscription };

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
export function operationRunner(deps: OperationRunnerDeps) {
  return async (req: Request, res: Response, body: Record<string, unknown>): Promise<OperationAnswer> => {
    let opened: FederatedSubscription | undefined;
    const transport: SubscriptionTransport = { method: req.method.toUpperCase(), opened: (subscription) => (opened = subscription) };
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    const requestId = String(res.locals.requestId);
    const answer = await deps.apollo().executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: async () => withTransport(await deps.context({ req, requestId, logger: deps.logger.child({ requestId }) }), transport),
    });
    if (opened) return { kind: 'subscription', subscription: opened };
    // @apollo/gateway executes no incremental delivery (@defer), so Apollo Server's answer is always whole.
    if (answer.body.kind !== 'complete') throw new Error('Apollo Server answered a gateway operation in parts');
    // Its JSON ends with a newline, which an SSE `data` line must not.
    return { kind: 'single', body: answer.body.string.trimEnd() };
  };
}

export type OperationRunner = ReturnType<typeof operationRunner>;
