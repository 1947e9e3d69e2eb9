import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { BadUserInputError } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import type { FederatedSupergraph } from '../reloadable-gateway.js';
import { FederatedSubscription } from './federated-subscription.js';
import { clientKeyOf, type OpenSubscriptionCounts } from './open-subscription-counts.js';
import type { OpenSubscriptionRegistry } from './open-subscriptions.js';
import type { SubgraphStreams } from './subgraph-stream.js';
import type { SubscriptionMetrics } from './subscription-metrics.js';
import type { Deferral } from '../incremental/deferred-execution.js';
import { runDeferred } from '../incremental/deferred-operation.js';

/** A streaming transport's side of one request (GraphQL over SSE): set on the request's context before Apollo Server runs it. */
export interface SubscriptionTransport {
  /** The client's HTTP method: a GET may carry no mutation. */
  method: string;
  /** Takes the subscription once it is open; the transport streams its events to the client. */
  opened(subscription: FederatedSubscription): void;
  /** Takes the parts after the first of an answer with @defer; absent when the transport sends answers whole. */
  deferred?(deferral: Deferral): void;
}

const TRANSPORT = Symbol('subscription transport');

/**
 * The context of a request a streaming transport runs, marked with the transport's side of it.
 * An own property, so it survives the shallow copy of the context Apollo Server hands the executor.
 */
export function withTransport(context: GatewayContext, transport: SubscriptionTransport): GatewayContext {
  return Object.assign(context, { [TRANSPORT]: transport });
}

/** The transport's side of a request; none for a request to /graphql's own endpoint. */
function transportOf(context: GatewayContext): SubscriptionTransport | undefined {
  return (context as GatewayContext & { [TRANSPORT]?: SubscriptionTransport })[TRANSPORT];
}

export interface SubscriptionExecutorsDeps {
  federationOf: (schema: GatewayGraphQLRequestContext['schema']) => FederatedSupergraph | undefined;
  streams: SubgraphStreams;
  counts: OpenSubscriptionCounts;
  registry: OpenSubscriptionRegistry;
  metrics: SubscriptionMetrics;
}

/**
 * Subscriptions as two layers around each supergraph's executor, with declared authorization (or
 * whatever else wraps it) between them, so a subscription passes all that a query passes:
 * Apollo Server's pipeline (parsing with the document limits, validation against the API schema,
 * persisted documents, the plugins: string lengths, declared authorization's decision) and then
 * these executors.
 *
 * - `deliver`, outermost: a subscription gets its place within the bounds and is opened by one
 *   call down the chain; open, it goes to the request's transport, and Apollo Server's own answer
 *   (empty) is not sent. Each event then calls the chain again (FederatedSubscription.events).
 * - `run`, innermost, beneath declared authorization: a subscription's calls (open, then one per
 *   event) are answered by its FederatedSubscription with the document as authorized; anything
 *   else goes on to @apollo/gateway.
 */
export function subscriptionExecutors(deps: SubscriptionExecutorsDeps) {
  const subscriptions = new WeakMap<GatewayContext, FederatedSubscription>();
  /** The document a request whose transport accepts parts came with, as `run` finds whether declared authorization changed it. */
  const sentDocuments = new WeakMap<GatewayContext, GatewayGraphQLRequestContext['document']>();
  return {
    deliver:
      (execute: GatewayExecutor): GatewayExecutor =>
      async (gatewayRequestContext) => {
        // The gateway interface types the context loosely; the gateway's is always a GatewayContext.
        const requestContext = gatewayRequestContext as GatewayGraphQLRequestContext<GatewayContext>;
        const transport = transportOf(requestContext.context);
        const kind = requestContext.operation.operation;
        if (kind === OperationTypeNode.MUTATION && transport?.method === 'GET') return refused(new BadUserInputError('A mutation cannot be sent with GET: use POST'));
        if (kind !== OperationTypeNode.SUBSCRIPTION) {
          if (transport?.deferred) sentDocuments.set(requestContext.context, requestContext.document);
          return execute(requestContext);
        }
        if (!transport) return refused(new BadUserInputError("Subscriptions are served over GraphQL over SSE (Accept: text/event-stream) and Apollo's multipart HTTP (Accept: multipart/mixed;subscriptionSpec=1.0): send this request with one of them"));
        let release;
        try {
          release = deps.counts.take(clientKeyOf(requestContext.context));
        } catch (error) {
          if (error instanceof GraphQLError) return refused(error);
          throw error;
        }
        const subscription = new FederatedSubscription(requestContext, execute, {
          federationOf: deps.federationOf,
          streams: deps.streams,
          metrics: deps.metrics,
          release,
          onOpen: (opened, federation) => deps.registry.add(opened, federation),
          onFinish: (finished) => deps.registry.delete(finished),
        });
        subscriptions.set(requestContext.context, subscription);
        let answer: GatewayExecutionResult;
        try {
          answer = await execute(requestContext);
        } finally {
          if (!subscription.isOpen) subscription.end('failed');
        }
        if (!subscription.isOpen) return answer;
        transport.opened(subscription);
        return {};
      },
    run:
      (execute: GatewayExecutor): GatewayExecutor =>
      async (gatewayRequestContext) => {
        const requestContext = gatewayRequestContext as GatewayGraphQLRequestContext<GatewayContext>;
        const subscription = requestContext.operation.operation === OperationTypeNode.SUBSCRIPTION ? subscriptions.get(requestContext.context) : undefined;
        if (subscription) return subscription.step(requestContext);
        const transport = transportOf(requestContext.context);
        // Declared authorization completes a whole answer against the client's document: one it denied a selection of is answered whole.
        if (!transport?.deferred || sentDocuments.get(requestContext.context) !== requestContext.document) return execute(requestContext);
        const federation = deps.federationOf(requestContext.schema);
        if (!federation) throw new Error('a request arrived on a schema no loaded supergraph made');
        const outcome = await runDeferred(requestContext, federation);
        if (outcome.kind === 'whole') return execute(requestContext);
        if (outcome.kind === 'refused') return outcome.result;
        transport.deferred(outcome.deferral);
        return outcome.deferral.initial;
      },
  };
}

const refused = (error: GraphQLError): GatewayExecutionResult => ({ errors: [error] });
