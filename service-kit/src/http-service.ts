import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import cors, { type CorsOptions } from 'cors';
import { trace } from '@opentelemetry/api';
import type { GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Logger } from './logger.js';
import { formatError, unexpectedErrorLogging } from './format-error.js';
import { inRequestScope } from './request-scope.js';
import { graphqlMetrics } from './metrics.js';
import { graphqlEndpoint } from './graphql-endpoint.js';

export interface RequestInfo {
  req: Request;
  requestId: string;
  logger: Logger;
}

/** Every resolver context carries these, so errors can be logged with the request id. */
export interface ServiceContext extends BaseContext {
  requestId: string;
  logger: Logger;
}

export interface HttpServiceOptions<Context extends ServiceContext> {
  logger: Logger;
  /** A subgraph's schema, or the gateway. */
  graphql: { schema: GraphQLSchema } | { gateway: GatewayInterface };
  context: (request: RequestInfo) => Promise<Context>;
  /** Problems that stop this service from serving now; empty when ready. */
  readiness: () => Promise<string[]>;
  /** What `/ready` says beside its verdict, such as the supergraph the gateway serves. */
  readinessDetails?: () => Record<string, unknown>;
  /** Apollo Sandbox on a browser's GET /graphql (never in production). */
  sandbox: boolean;
  introspection?: boolean;
  maxBodyBytes?: number;
  shutdownTimeoutMs?: number;
  plugins?: ApolloServerPlugin<Context>[];
  /** Parsed and validated documents kept by hash; Apollo's in-memory cache (30 MiB by its estimate) by default. */
  documentStore?: ApolloServerOptions<Context>['documentStore'];
  /** Where documents sent by hash (Apollo's persisted-query extension) are found; Apollo's in-memory cache by default. */
  persistedQueries?: ApolloServerOptions<Context>['persistedQueries'];
  /**
   * Checks on each GraphQL request before its body is read, from its headers alone (a rate limit):
   * one may answer it instead, and then no byte of its body is parsed.
   */
  beforeBody?: RequestHandler[];
  /** Checks on each parsed GraphQL request before Apollo sees it; one may answer it instead (a refusal). */
  guards?: RequestHandler[];
  /**
   * Other transports of /graphql (the gateway's GraphQL over SSE), after the CORS, rate limit, body
   * limit and guards every GraphQL request passes: each answers the requests it serves and passes
   * the rest on to Apollo Server's endpoint.
   */
  transports?: RequestHandler[];
  /** Validation rules beside GraphQL's own (document limits). */
  validationRules?: ValidationRule[];
  /** Parser limits (such as `maxTokens`). */
  parseOptions?: ParseOptions;
  /** Cross-origin access to /graphql for browsers; none when absent. */
  cors?: CorsOptions;
  /** Operation names its metrics always count by name (see graphqlMetrics). */
  knownOperations?: Iterable<string>;
  /** Routes beside /graphql, such as the users service's JWKS. */
  routes?: (app: Express) => void;
}

export interface HttpService<Context extends ServiceContext> {
  readonly app: Express;
  readonly httpServer: Server;
  readonly apollo: ApolloServer<Context>;
  /** Listens and resolves with the base URL (`http://host:port`). */
  listen(port: number, host: string): Promise<string>;
  /** Stops taking requests, lets in-flight ones finish (up to the timeout), then closes. */
  stop(): Promise<void>;
}

/** The header that carries a request's id between services, so their log lines for it share one id. */
export const REQUEST_ID_HEADER = 'x-request-id';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** The span attribute that holds a request's id (x-request-id). */
export const REQUEST_ID_ATTRIBUTE = 'shop.request_id';

export async function createHttpService<Context extends ServiceContext>(
  options: HttpServiceOptions<Context>,
): Promise<HttpService<Context>> {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  // Nothing here is revalidated by ETag; computing one hashes every response body.
  app.disable('etag');
  const httpServer = createServer(app);
  const apolloOptions = {
    ...options.graphql,
    logger,
    introspection: options.introspection ?? options.sandbox,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    ...(options.persistedQueries === undefined ? {} : { persistedQueries: options.persistedQueries }),
    ...(options.documentStore === undefined ? {} : { documentStore: options.documentStore }),
    ...(options.validationRules ? { validationRules: options.validationRules } : {}),
    ...(options.parseOptions ? { parseOptions: options.parseOptions } : {}),
    // Shutdown is ours (shutdownOnSignals): drain, close the database, then exit 0.
    stopOnTerminationSignals: false,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownTimeoutMs ?? 10_000 }),
      options.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: { endpointIsEditable: false }, includeCookies: false })
        : ApolloServerPluginLandingPageDisabled(),
      // No usage reporting anywhere in this project, so subgraphs never build federated traces.
      ...('schema' in options.graphql ? [ApolloServerPluginInlineTraceDisabled()] : []),
      unexpectedErrorLogging(logger),
      graphqlMetrics({ knownOperations: options.knownOperations ?? [] }),
      ...(options.plugins ?? []),
    ],
    // The union of `schema` and `gateway` options is one ApolloServerOptions; TypeScript cannot narrow the spread.
  } as ApolloServerOptions<Context>;
  const apollo = new ApolloServer<Context>(apolloOptions);
  await apollo.start();

  app.use((req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // The server span (when tracing) is found by the id its log lines and the other services' carry.
    trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
    inRequestScope(requestId, next);
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const verdict = cachedVerdict(() =>
    options.readiness().catch((error: unknown) => {
      logger.warn({ err: error }, 'readiness check failed');
      return ['a dependency is unreachable'];
    }),
  );
  app.get('/ready', async (_req, res) => {
    const problems = await verdict();
    // Read afresh: they cost nothing, and say at once what changed (a supergraph reloaded).
    const details = options.readinessDetails?.() ?? {};
    res.status(problems.length === 0 ? 200 : 503).json(problems.length === 0 ? { status: 'ready', ...details } : { status: 'unavailable', problems, ...details });
  });
  options.routes?.(app);
  app.get('/', (_req, res) => {
    res.redirect('/graphql');
  });
  app.use(
    '/graphql',
    ...(options.cors ? [cors(options.cors)] : []),
    ...(options.beforeBody ?? []),
    express.json({ limit: options.maxBodyBytes ?? 1_000_000 }),
    ...(options.guards ?? []),
    ...(options.transports ?? []),
    graphqlEndpoint(apollo, async (req, res) => {
      const requestId = String(res.locals.requestId);
      return options.context({ req, requestId, logger: logger.child({ requestId }) });
    }),
  );
  app.use(bodyErrorHandler(logger));

  return {
    app,
    httpServer,
    apollo,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          resolve(`http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`);
        });
      }),
    stop: () => apollo.stop(),
  };
}

/** How long one readiness verdict answers /ready: a flood of probes checks the dependencies once a second at most. */
export const READINESS_CACHE_MS = 1_000;

/** `check`, run at most once per READINESS_CACHE_MS: calls meanwhile share its last (or running) result. */
function cachedVerdict<Verdict>(check: () => Promise<Verdict>): () => Promise<Verdict> {
  let last: { verdict: Promise<Verdict>; at: number } | undefined;
  return () => {
    const now = performance.now();
    if (!last || now - last.at >= READINESS_CACHE_MS) last = { verdict: check(), at: now };
    return last.verdict;
  };
}

/** Body-parser failures (malformed JSON, too large) answer as GraphQL errors with their HTTP status. */
function bodyErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: { status?: number; type?: string; message?: string }, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'request failed');
    const message =
      status === 413
        ? 'The request body is too large'
        : status === 415
          ? 'The request body must be JSON in UTF-8'
          : status === 500
            ? 'Internal server error'
            : 'The request body is not valid JSON';
    res.status(status).json({
      errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } }],
    });
  };
}
