import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express, Request } from 'express';
import { GraphQLError, GraphQLSchema, parse, type FormattedExecutionResult } from 'graphql';
import type { ExecutionResult, SubscribePayload } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, RateLimitedError, type Logger } from '@shop/service-kit';
import { formatEvent } from './event-format.js';
import type { FederatedSubscription } from './federated-subscription.js';
import type { OperationRunner } from './operation-runner.js';
import { connectionAuthorization, messageExchange } from './websocket-request.js';
import { serveGraphqlWs } from './ws-server.js';

export interface WebSocketOptions {
  /** The gateway's Express app: each message becomes one of its requests (websocket-request.ts). */
  app: Express;
  run: OperationRunner;
  /** Verifies an Authorization header as a request's is (server.ts's viewerFromAuthorization with its verifyToken). */
  verifyAuthorization: (authorization: string) => Promise<unknown>;
  /** The request rate limit, as /graphql takes it (its key: the token's user, else the address), per upgrade and per message; throws RateLimitedError. */
  admit: (req: Request) => Promise<void>;
  /** Browser origins that may open a socket (CORS_ORIGINS), or any. */
  allowedOrigins: string[] | true;
  /** Largest message a client may send (MAX_BODY_BYTES): past it, ws closes the socket with 1009. */
  maxPayloadBytes: number;
  /** Interval of the WebSocket pings that keep an idle socket open through proxies (and find dead peers). */
  keepAliveMs: number;
  /** What may wait unsent on one socket at most; past it, the subscription about to send is dropped (SLOW_CONSUMER). */
  maxBufferedBytes: number;
  logger: Logger;
}

/** What a socket's `connection_init` established: the token its messages carry. */
interface Connection extends Record<PropertyKey, unknown> {
  authorization: string;
}

/**
 * graphql-ws hands each subscribe message to `onSubscribe`, then to `subscribe` with arguments
 * for a graphql-js execution. The gateway answers every message in `onSubscribe` through Apollo
 * Server's pipeline (operation-runner.ts), so no graphql-js execution happens here: the
 * arguments carry the answer in `contextValue`, with a one-line subscription document only so
 * graphql-ws routes every answer to `subscribe` (which streams an iterable and sends a single
 * result once, then `complete`). The schema is never read.
 */
const ANSWER_DOCUMENT = parse('subscription Answer { answer }');
const NO_SCHEMA = new GraphQLSchema({});

/** How long a drain waits for open operations to send their last message before sockets close. */
const DRAIN_MS = 2_000;

/**
 * `graphql-ws` over WebSocket (protocol `graphql-transport-ws`, The Guild's server) on /graphql's
 * upgrade requests. Every subscribe message passes what an HTTP request to /graphql passes: the
 * request rate limit, then Apollo Server's pipeline through the operation runner (persisted
 * documents, document limits, plugins, declared authorization, the subscription bounds in the
 * executors); a query or mutation is answered once. Events are formatted by the subscription as
 * for GraphQL over SSE, and what ends a stream (a reload, an ended session, a slow consumer)
 * sends its coded error as a last `next`, then `complete`; a refusal too, so a client reads
 * the same codes on every transport.
 *
 * The token comes in `connection_init` (`{ authorization: "Bearer …" }`): a token refused closes
 * the socket with 4403 (Forbidden); without one the socket is anonymous. A browser's socket is
 * opened only from an allowed origin (CORS_ORIGINS), as its fetches are.
 */
export function graphqlOverWebSocket(httpServer: Server, options: WebSocketOptions) {
  const { app, run, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  let running = 0;
  const finished = new Set<() => void>();
  const done = () => {
    running -= 1;
    // graphql-ws sends `complete` after onComplete returns: a drain waiting for it closes sockets after that.
    if (running === 0) for (const wake of finished) setImmediate(wake);
  };

  /** One message's answer: Apollo Server's single result, or the subscription's events. */
  const answer = async (request: IncomingMessage, socket: WebSocket, authorization: string | undefined, payload: SubscribePayload) => {
    const { req, res } = messageExchange(app, request, authorization);
    const requestLogger = logger.child({ requestId: String(res.locals.requestId) });
    try {
      await options.admit(req);
      const outcome = await run(req, res, bodyOf(payload));
      if (outcome.kind === 'single') return asResult(JSON.parse(outcome.body) as FormattedExecutionResult);
      return delivered(outcome.subscription, socket, options.maxBufferedBytes);
    } catch (error) {
      // A refusal (RATE_LIMITED) is a coded answer like any other; anything else is masked and logged once (formatEvent).
      const thrown = error instanceof GraphQLError ? error : new GraphQLError('graphql-ws message failed', { originalError: error instanceof Error ? error : undefined });
      return asResult(formatEvent({ errors: [thrown] }, requestLogger));
    }
  };

  const server = serveGraphqlWs<Connection>(
    {
      onConnect: async (ctx) => {
        const token = connectionAuthorization(ctx.connectionParams);
        if (token === 'malformed') return false;
        if (token.authorization === undefined) return true;
        try {
          await options.verifyAuthorization(token.authorization);
        } catch (error) {
          // Refused (bad, expired, ended session): 4403. A failure to judge it closes the socket with 4500 instead.
          if (error instanceof AppError && error.code === 'UNAUTHENTICATED') return false;
          logger.warn({ err: error }, 'a graphql-ws connection\'s token could not be verified');
          throw error;
        }
        ctx.extra.authorization = token.authorization;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        running += 1;
        try {
          const contextValue = await answer(ctx.extra.request, ctx.extra.socket, ctx.extra.authorization, payload);
          return { schema: NO_SCHEMA, document: ANSWER_DOCUMENT, contextValue };
        } catch (error) {
          done();
          throw error;
        }
      },
      // The answer onSubscribe made (see ANSWER_DOCUMENT); graphql types the context value as unknown.
      subscribe: (args) => args.contextValue as ExecutionResult | AsyncIterableIterator<ExecutionResult>,
      // Results are formatted already (Apollo Server's answers, formatEvent's events): sent as they are, not re-serialized as GraphQLErrors.
      onNext: (_ctx, _id, _payload, _args, result) => result,
      onComplete: () => done(),
    },
    wss,
    options.keepAliveMs,
    logger,
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://gateway').pathname !== '/graphql') {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    const { origin } = request.headers;
    if (origin !== undefined && options.allowedOrigins !== true && !options.allowedOrigins.includes(origin)) {
      refuseUpgrade(socket, 403, 'Forbidden');
      return;
    }
    // A socket is a request too: one point (by address: its token comes later), so a client cannot open sockets without bound.
    const { req } = messageExchange(app, request, undefined);
    options.admit(req).then(
      () => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)),
      (error: unknown) => {
        if (error instanceof RateLimitedError) {
          refuseUpgrade(socket, 429, 'Too Many Requests', { 'Retry-After': String(error.retryAfterSeconds) });
          return;
        }
        logger.warn({ err: error }, 'a WebSocket upgrade could not be admitted');
        refuseUpgrade(socket, 503, 'Service Unavailable');
      },
    );
  };
  httpServer.on('upgrade', onUpgrade);

  let closed: Promise<void> | undefined;
  const close = async () => {
    httpServer.off('upgrade', onUpgrade);
    if (running > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_MS);
        finished.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await server.dispose();
  };
  return {
    /** Lets operations ended by the drain send their last messages (bounded), then closes every socket (1001) and the server; once. */
    close: (): Promise<void> => (closed ??= close()),
  };
}

/** The JSON body Apollo Server is handed for a subscribe message; an empty query (a persisted document sent by hash) is left out. */
function bodyOf(payload: SubscribePayload): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({ query: payload.query || undefined, operationName: payload.operationName, variables: payload.variables, extensions: payload.extensions }).filter(
      ([, value]) => value !== undefined && value !== null,
    ),
  );
}

/** A formatted result as graphql-ws's type has it: onNext sends it unchanged, so its errors are never GraphQLErrors. */
const asResult = (result: FormattedExecutionResult): ExecutionResult => result as unknown as ExecutionResult;

/**
 * The subscription's events for graphql-ws: its client completing the operation, or the socket
 * closing, closes the subscription even before the first event was asked for (an async
 * generator's `return` then runs none of its body). graphql-ws awaits each send before asking
 * for the next event, so a socket that is not read holds events back in the subgraph stream
 * (whose bound drops it); more than `maxBufferedBytes` queued on the socket drops it as well.
 */
function delivered(subscription: FederatedSubscription, socket: WebSocket, maxBufferedBytes: number): AsyncIterableIterator<ExecutionResult> {
  const events = subscription.events();
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      if (socket.bufferedAmount > maxBufferedBytes) subscription.end('SLOW_CONSUMER');
      const next = await events.next();
      return next.done ? { done: true, value: undefined } : { done: false, value: asResult(next.value) };
    },
    return: async () => {
      subscription.close();
      await events.return(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** Answers an upgrade request that is not taken with a bare HTTP status, and closes its socket. */
function refuseUpgrade(socket: Duplex, status: 403 | 404 | 429 | 503, text: string, headers: Record<string, string> = {}): void {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${lines}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}

export type WebSocketTransport = ReturnType<typeof graphqlOverWebSocket>;
