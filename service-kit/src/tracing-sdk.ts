import { setTimeout as delay } from 'node:timers/promises';
import { register as registerModuleHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { DataloaderInstrumentation } from '@opentelemetry/instrumentation-dataloader';
import { ConfigError } from './config.js';
import type { Logger } from './logger.js';

/** What a started SDK needs at shutdown: the spans still buffered are exported, then it stops. */
export interface Tracing {
  /** Where the SDK's own problems (a collector that refuses or cannot be reached) are logged, once the service has its logger. */
  logProblemsTo(logger: Pick<Logger, 'warn'>): void;
  /** Resolves once the spans are exported, or when that took too long (and they are dropped). */
  shutdown(): Promise<'flushed' | 'timed out'>;
}

/** How long exporting the spans still buffered may take at shutdown. */
const FLUSH_LIMIT_MS = 3_000;

/** Only requests to these paths get a server span: health and readiness probes would drown the traces. */
const TRACED_PATHS = new Set(['/graphql']);

/**
 * The modules the instrumentations patch when they are imported as ES modules: only these go
 * through the loader hook (wrapping every module would cost start-up time and memory for nothing).
 */
const HOOKED_MODULES = ['http', 'https', 'node:http', 'node:https', 'graphql', 'pg', 'pg-pool', 'dataloader'];

/**
 * The OpenTelemetry Node SDK as this project runs it: exporter, protocol, sampler and resource from
 * the standard OTEL_* variables (tracing.ts checked them); traces only, since metrics are
 * Prometheus's (METRICS_PORT) and logs go to stdout. Loaded only when tracing is on.
 */
export async function startTracingSdk(serviceName: string): Promise<Tracing> {
  // The services are ES modules: instrumentations see `import 'pg'` only through these loader hooks,
  // registered in-thread before any instrumented module is imported.
  if (!supportsSyncHooks()) {
    throw new ConfigError([`OTEL_*: tracing needs Node.js 24.11.1 or later (this is ${process.version}); unset the OTEL_ variables or upgrade`]);
  }
  registerModuleHooks({ include: HOOKED_MODULES });
  const sdk = new NodeSDK({
    serviceName,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => !TRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
        // A GET request's query string holds its document and variables: values stay out of spans.
        redactedQueryParamsServer: ['query', 'variables', 'extensions', 'operationName'],
      }),
      // Client spans of every call one service makes to another while serving a request (Node's
      // fetch and undici's own pool alike); the propagator writes `traceparent` on each. Readiness
      // polls and key fetches outside a request make no traces of their own.
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // Resolver spans two fields deep (`order`, `order.items`): enough to see which field ran which
      // batch and statement, without a span per scalar of every item.
      new GraphQLInstrumentation({ depth: 2, ignoreTrivialResolveSpans: true, mergeItems: true }),
      // Statements outside a request (migrations, the reconciler) make no traces of their own.
      new PgInstrumentation({ requireParentSpan: true }),
      new DataloaderInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return {
    logProblemsTo(logger) {
      // OTEL_LOG_LEVEL, when set, keeps the SDK's own console logger at the level asked for.
      if (process.env.OTEL_LOG_LEVEL) return;
      const warn = (message: string, ...args: unknown[]) => logger.warn({ detail: args.map(String).join(' ') }, `tracing: ${message}`);
      diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    },
    // Bounded: a collector that is down must not hold the process past its shutdown deadline.
    shutdown: () => Promise.race([sdk.shutdown().then(() => 'flushed' as const), delay(FLUSH_LIMIT_MS, 'timed out' as const, { ref: false })]),
  };
}
