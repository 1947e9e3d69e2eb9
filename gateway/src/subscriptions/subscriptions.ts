import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import type { FederatedSupergraph } from '../reloadable-gateway.js';
import { openSubscriptionCounts } from './open-subscription-counts.js';
import { openSubscriptionRegistry } from './open-subscriptions.js';
import { operationRunner, type OperationRunnerDeps } from './operation-runner.js';
import { watchSessions } from './session-watch.js';
import { apolloMultipart } from './multipart-transport.js';
import { graphqlOverSse } from './sse-transport.js';
import { MAX_OPERATIONS_PER_STREAM, RESERVATION_TIMEOUT_MS, requestIdentity, sseSingleConnection, type SingleConnection } from './sse-single-connection.js';
import { graphqlOverWebSocket, type WebSocketOptions } from './ws-transport.js';
import { subgraphStreams } from './subgraph-stream.js';
import { subscriptionExecutors } from './subscription-executors.js';
import { subscriptionMetrics } from './subscription-metrics.js';

export interface SubscriptionSettings {
  /** Open subscriptions per replica at most (SUBSCRIPTIONS_MAX). */
  maxOpen: number;
  /** Open subscriptions per client at most (SUBSCRIPTIONS_PER_CLIENT). */
  maxPerClient: number;
  /** Seconds between heartbeats on an idle stream (SUBSCRIPTION_HEARTBEAT_SECONDS). */
  heartbeatSeconds: number;
  /** KiB that may wait unsent for one client before it is dropped (SUBSCRIPTION_BUFFER_KB). */
  bufferKilobytes: number;
  /** Seconds between checks of open subscriptions' tokens (SUBSCRIPTION_SESSION_CHECK_SECONDS). */
  sessionCheckSeconds: number;
}

/** Longest a subgraph's stream may stay silent: graphql-sse's handler sends a heartbeat every 12 s, so this is five missed. */
const SUBGRAPH_STREAM_IDLE_MS = 60_000;
/** Events received from a subgraph and not yet delivered, per subscription, at most (then SLOW_CONSUMER). */
const MAX_PENDING_EVENTS = 100;

export interface SubscriptionsDeps {
  settings: SubscriptionSettings;
  logger: Logger;
  /** The served supergraph behind a schema (ReloadableGateway.federationOf). */
  federationOf: (schema: GatewayGraphQLRequestContext['schema']) => FederatedSupergraph | undefined;
  /** Verifies an Authorization header as a request's is, ended sessions refused (server.ts). */
  verifyAuthorization: (authorization: string) => Promise<unknown>;
  /** Longest a subgraph may take to open a subscription (SUBGRAPH_TIMEOUT_MS). */
  openTimeoutMs: number;
}

/**
 * Federated subscriptions, as the gateway wires them (server.ts): the executors that run the
 * planner's SubscriptionNode around each supergraph's (`wrapExecutor`), GraphQL over SSE and
 * Apollo's multipart subscriptions on /graphql (`sseHandler`), the drain that ends every stream
 * when the gateway stops (`plugin`), and what must be closed after it (`close`).
 */
export function createSubscriptions(deps: SubscriptionsDeps) {
  const { settings, logger } = deps;
  const metrics = subscriptionMetrics();
  const counts = openSubscriptionCounts({ maxOpen: settings.maxOpen, maxPerClient: settings.maxPerClient });
  const registry = openSubscriptionRegistry();
  const streams = subgraphStreams({ openTimeoutMs: deps.openTimeoutMs, idleTimeoutMs: SUBGRAPH_STREAM_IDLE_MS, maxPendingEvents: MAX_PENDING_EVENTS });
  const executors = subscriptionExecutors({ federationOf: deps.federationOf, streams, counts, registry, metrics });
  /** The WebSocket servers attached, closed as the gateway drains. */
  const webSockets: ReturnType<typeof graphqlOverWebSocket>[] = [];
  /** GraphQL over SSE's single connection mode, once sseHandler made it: its streams end as the gateway drains. */
  let singleConnection: SingleConnection | undefined;
  const sessions = watchSessions({ intervalMs: settings.sessionCheckSeconds * 1000, subscriptions: registry.subscriptions, verify: deps.verifyAuthorization, logger });
  return {
    /** Wraps one supergraph's executor: subscriptions outermost and innermost, `between` (declared authorization) in the middle. */
    wrapExecutor: (execute: GatewayExecutor, between: (execute: GatewayExecutor) => GatewayExecutor = (inner) => inner): GatewayExecutor =>
      executors.deliver(between(executors.run(execute))),
    /**
     * The HTTP streaming transports, GraphQL over SSE (single connection mode, for requests with a
     * reservation's token, then distinct connections) and Apollo's multipart subscriptions, for
     * /graphql's chain after its CORS, rate limit, body limit and guards; passes on every other request.
     */
    sseHandler: (runner: Omit<OperationRunnerDeps, 'logger'>): RequestHandler => {
      const run = operationRunner({ ...runner, logger });
      const bounds = { heartbeatMs: settings.heartbeatSeconds * 1000, maxBufferedBytes: settings.bufferKilobytes * 1024 };
      singleConnection = sseSingleConnection(run, {
        // A reserved stream holds a socket as a distinct connection's subscription does: bounded as one is.
        bounds: { ...bounds, maxOpen: settings.maxOpen, maxPerClient: settings.maxPerClient, reservationTimeoutMs: RESERVATION_TIMEOUT_MS, maxOperations: MAX_OPERATIONS_PER_STREAM },
        identify: requestIdentity(runner.context, logger),
        logger,
      });
      const single = singleConnection.handler;
      const sse = graphqlOverSse(run, bounds);
      const multipart = apolloMultipart(run, bounds);
      const passedOn = (next: (error?: unknown) => void, then: () => void) => (error?: unknown) => (error === undefined ? then() : next(error));
      return (req, res, next) => single(req, res, passedOn(next, () => sse(req, res, passedOn(next, () => multipart(req, res, next)))));
    },
    /**
     * `graphql-ws` over WebSocket on /graphql's upgrade requests of `httpServer`, each message run
     * as GraphQL over SSE runs a request; its pings every heartbeat, its slow consumers past the same buffer.
     */
    webSocket: (httpServer: Server, runner: Omit<OperationRunnerDeps, 'logger'>, options: Omit<WebSocketOptions, 'run' | 'verifyAuthorization' | 'keepAliveMs' | 'maxBufferedBytes' | 'logger'>): void => {
      webSockets.push(
        graphqlOverWebSocket(httpServer, {
          ...options,
          run: operationRunner({ ...runner, logger }),
          verifyAuthorization: deps.verifyAuthorization,
          keepAliveMs: settings.heartbeatSeconds * 1000,
          maxBufferedBytes: settings.bufferKilobytes * 1024,
          logger,
        }),
      );
    },
    /**
     * Ends every stream as the server drains (SHUTTING_DOWN), so open streams do not hold the
     * shutdown to its deadline; sockets close once their streams have said so (upgraded sockets
     * are no HTTP requests the drain would wait for).
     */
    plugin: {
      async serverWillStart() {
        return {
          async drainServer() {
            registry.endAll('SHUTTING_DOWN');
            singleConnection?.drain();
            await Promise.all(webSockets.map((webSocket) => webSocket.close()));
          },
        };
      },
    } satisfies ApolloServerPlugin<GatewayContext>,
    /** Open subscriptions now. */
    get open(): number {
      return registry.size;
    },
    /** Stops the token checks and cuts what is left of the subgraph streams; after the server has drained. */
    async close(): Promise<void> {
      sessions.stop();
      registry.endAll('SHUTTING_DOWN');
      singleConnection?.drain();
      await Promise.all(webSockets.map((webSocket) => webSocket.close()));
      await streams.close();
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
