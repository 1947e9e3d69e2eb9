import { getOperationAST, OperationTypeNode, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createHandler, type OperationContext } from 'graphql-sse';
import { AppError, viewerFromAuthorization, type Logger, type RequestInfo, type SubgraphContext, type VerifyToken, type Viewer } from '@shop/service-kit';
import { subscribeWithEventIds } from './event-results.js';
import { readBody } from './request-body.js';
import { codedValidationErrors, drained, formattedResult, refusal, withErrorCodes, withEventIdField } from './sse-wire.js';
import { tokenExpiryOf } from './token-expiry.js';

type HttpRequest = RequestInfo['req'];
type HttpResponse = NonNullable<HttpRequest['res']>;

/** Who subscribes, as the endpoint found them before the subscription runs. */
export interface Subscriber {
  req: HttpRequest;
  requestId: string;
  logger: Logger;
  /** From the verified Authorization header, as on /graphql; null without one. */
  viewer: Viewer | null;
  /** When the token expires (ms since the epoch); null without a token. */
  tokenExpiresAt: number | null;
  /** The `Last-Event-ID` header an EventSource sends when it reconnects. */
  lastEventId: string | undefined;
}

export interface SseEndpointOptions<Context extends SubgraphContext> {
  schema: GraphQLSchema;
  verifyToken: VerifyToken;
  logger: Logger;
  /** The resolvers' context for a subscription: what /graphql builds for a request, and the subscriber's token expiry. */
  context: (subscriber: Subscriber) => Context;
  /** The context one event is executed with: the subscription's, with what must not be shared between events (loaders) made anew. */
  eventContext: (subscription: Context) => Context;
  /** The largest POST body read (the /graphql endpoint's limit by default). */
  maxBodyBytes?: number;
}

/** How long a subscriber's connection may stay too full to write to before it is closed (it resumes with `after`). */
const SLOW_CLIENT_MS = 30_000;

/**
 * GraphQL over SSE for subscriptions on `/graphql` (graphql-sse's handler, distinct connections
 * mode: one stream per subscription, GET or POST), for requests that accept `text/event-stream`;
 * everything else goes on to Apollo. The token is checked as on /graphql (Authorization: Bearer,
 * this service's verifier; a bad one is refused with 401 before any stream), and resolvers get the
 * context /graphql gives them. Each `next` event whose result carries `extensions.eventId` also
 * has it as its SSE `id:`. graphql-sse sends a comment line every 12 s, which keeps proxies from
 * closing a quiet stream.
 */
export function sseEndpoint<Context extends SubgraphContext>(options: SseEndpointOptions<Context>) {
  const { schema, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  // graphql-sse wants an index-signature context; ours is an interface with the same properties.
  type OperationContextOf = Context & OperationContext;
  const handler = createHandler<HttpRequest, Subscriber, OperationContextOf>({
    schema,
    // Distinct connections only: no stream tokens, so no state kept between requests.
    authenticate: () => null,
    validate: (...args) => codedValidationErrors(validate(...args)),
    onSubscribe: (req, params) => {
      let document: DocumentNode;
      try {
        document = parse(params.query);
      } catch (error) {
        return refusal(400, (error as Error).message, 'BAD_USER_INPUT');
      }
      const operation = getOperationAST(document, params.operationName);
      if (!operation) return refusal(400, 'The document must hold one operation, or operationName must name one', 'BAD_USER_INPUT');
      if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
        return refusal(400, 'Only subscriptions are served as text/event-stream; send queries and mutations as application/json', 'BAD_USER_INPUT');
      }
      return { schema, document, operationName: params.operationName ?? null, variableValues: params.variables ?? null, contextValue: options.context(req.context) as OperationContextOf };
    },
    subscribe: subscribeWithEventIds<OperationContextOf>((subscription) => options.eventContext(subscription) as OperationContextOf),
    onNext: (context, _req, result) => formattedResult(result, context.logger),
  });

  return async (req: HttpRequest, res: HttpResponse, next: (error?: unknown) => void): Promise<void> => {
    if ((req.method !== 'GET' && req.method !== 'POST') || !req.get('accept')?.includes('text/event-stream')) {
      next();
      return;
    }
    try {
      const requestId = String(res.locals.requestId);
      const subscriberLogger = logger.child({ requestId });
      const authorization = req.get('authorization');
      let viewer: Viewer | null;
      try {
        viewer = await viewerFromAuthorization(authorization, options.verifyToken);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const status = error.code === 'SERVICE_UNAVAILABLE' ? 503 : 401;
        const [body, init] = refusal(status, error.message, error.code);
        res.writeHead(init.status, init.statusText, init.headers).end(body);
        return;
      }
      const subscriber: Subscriber = {
        req,
        requestId,
        logger: subscriberLogger,
        viewer,
        tokenExpiresAt: viewer ? tokenExpiryOf(authorization) : null,
        lastEventId: req.get('last-event-id'),
      };
      const [body, init] = await handler({
        method: req.method,
        url: req.url,
        headers: {
          // Routed here for accepting an event stream, whatever else the header lists: graphql-sse compares it whole.
          get: (key) => (key.toLowerCase() === 'accept' ? 'text/event-stream' : req.get(key)),
        },
        // Parsed already when mounted after a body parser; else read here, within the same limit as /graphql.
        body: () => (isParsedBody(req.body) ? req.body : readBody(req, maxBodyBytes)),
        raw: req,
        context: subscriber,
      });
      res.writeHead(init.status, init.statusText, init.headers);
      if (body === null || typeof body === 'string') {
        res.end(body !== null && init.status >= 400 ? withErrorCodes(body) : body);
        return;
      }
      await writeEvents(body, res, subscriberLogger);
    } catch (error) {
      if (res.headersSent) {
        logger.error({ err: error }, 'a subscription stream failed');
        res.destroy();
      } else next(error);
    }
  };
}

function isParsedBody(body: unknown): body is Record<PropertyKey, unknown> {
  return typeof body === 'object' && body !== null;
}

/** Writes a stream's messages until it ends or the client leaves, whichever comes first. */
async function writeEvents(messages: AsyncGenerator<string, void, undefined>, res: HttpResponse, logger: Logger): Promise<void> {
  const leave = () => void messages.return(undefined);
  // A function, not the property: it changes while this awaits.
  const gone = () => res.destroyed;
  res.once('close', leave);
  // Left before the stream was ready: its close came and went.
  if (gone()) leave();
  try {
    for await (const message of messages) {
      if (gone()) break;
      if (res.write(withEventIdField(message))) continue;
      if (!(await drained(res, SLOW_CLIENT_MS))) {
        if (!gone()) logger.warn('a subscriber read too slowly for too long: its stream was closed');
        res.destroy();
        break;
      }
    }
  } finally {
    res.off('close', leave);
    await messages.return(undefined);
    if (!res.writableEnded) res.end();
  }
}
