import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode } from './errors.js';

/**
 * The process's one registry: what this service measures, served by its metrics server
 * (metrics-server.ts). Not prom-client's global one, so that nothing a dependency registers there
 * reaches our scrape unasked.
 */
export const metricsRegistry = new Registry();

/**
 * Metrics are defined where they are used, once per process: a service that builds a second
 * breaker or client (tests do) gets the metric already registered instead of prom-client's
 * "already registered" error. Only what a process loads is registered, so the gateway's scrape
 * carries no empty database metrics.
 */
type Definition<Config> = Omit<Config, 'registers'> & { registry?: Registry };
// A name registered as another kind of metric makes the constructor throw "already registered".

export function defineCounter<Label extends string>({ registry = metricsRegistry, ...config }: Definition<CounterConfiguration<Label>>): Counter<Label> {
  const existing = registry.getSingleMetric(config.name);
  return existing instanceof Counter ? existing : new Counter({ ...config, registers: [registry] });
}

export function defineGauge<Label extends string>({ registry = metricsRegistry, ...config }: Definition<GaugeConfiguration<Label>>): Gauge<Label> {
  const existing = registry.getSingleMetric(config.name);
  return existing instanceof Gauge ? existing : new Gauge({ ...config, registers: [registry] });
}

export function defineHistogram<Label extends string>({ registry = metricsRegistry, ...config }: Definition<HistogramConfiguration<Label>>): Histogram<Label> {
  const existing = registry.getSingleMetric(config.name);
  return existing instanceof Histogram ? existing : new Histogram({ ...config, registers: [registry] });
}

/** Seconds since `startedAt`, a `performance.now()` reading. */
export const secondsSince = (startedAt: number) => (performance.now() - startedAt) / 1000;

/**
 * Buckets for a call answered over the network, from a cached answer (~1 ms) to the longest
 * timeout a call may have (the gateway's 10 s).
 */
export const CALL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const enabledRuntimeMetrics = new WeakSet<Registry>();

/**
 * Node's own metrics (event-loop lag, heap, GC, CPU, handles) into `registry`, once: they cost a
 * GC observer and an event-loop monitor, so only a process that serves its metrics turns them on.
 */
export function enableRuntimeMetrics(registry: Registry = metricsRegistry): void {
  if (enabledRuntimeMetrics.has(registry)) return;
  enabledRuntimeMetrics.add(registry);
  collectDefaultMetrics({ register: registry });
}

/** The label value every operation shares that has no name of its own to count under. */
export const UNKNOWN_OPERATION = 'unknown';

/**
 * A label whose values clients choose (operation names), bounded: `known` values (the SDK's
 * operations) always count under themselves; of the others, the first `max` distinct ones do, and
 * every later one, and a missing one, under UNKNOWN_OPERATION. Without a bound, a client inventing
 * names would grow the scrape (and Prometheus) without end; without `known`, one inventing a
 * hundred right after a start would push the real operations into UNKNOWN_OPERATION.
 */
export function boundedLabel(max: number, known: Iterable<string> = []): (value: string | null | undefined) => string {
  const always = new Set(known);
  const seen = new Set<string>();
  return (value) => {
    if (!value) return UNKNOWN_OPERATION;
    if (always.has(value) || seen.has(value)) return value;
    if (seen.size >= max) return UNKNOWN_OPERATION;
    seen.add(value);
    return value;
  };
}

/** Codes a response's errors may carry (ours after formatError, and the persisted-query protocol's); anything else is OTHER. */
const PROTOCOL_CODES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_IN_LIST']);

function errorCodeLabel(code: unknown): string {
  return isErrorCode(code) || (typeof code === 'string' && PROTOCOL_CODES.has(code)) ? code : 'OTHER';
}

export interface GraphQLMetricsOptions {
  /** Distinct operation names counted under their own name (per service process); the rest are `unknown`. */
  maxOperationNames?: number;
  /** Operation names always counted under their own name, beside the cap (the gateway: its persisted documents'). */
  knownOperations?: Iterable<string>;
  registry?: Registry;
}

/**
 * RED metrics of a service's GraphQL requests, as an Apollo Server plugin: every request counted
 * by operation name, type and outcome, with its duration. A request refused while its context was
 * built (a bad token) is counted but has no duration: it never started Apollo's request pipeline.
 */
export function graphqlMetrics({ maxOperationNames = 100, knownOperations = [], registry = metricsRegistry }: GraphQLMetricsOptions = {}): ApolloServerPlugin {
  const requests = defineCounter({
    registry,
    name: 'graphql_requests_total',
    help: 'GraphQL requests answered, by operation name (unknown: anonymous, unparsed, invalid or beyond the cap of names), type and outcome (success, error: any error in the response)',
    labelNames: ['operation', 'type', 'outcome'],
  });
  // Outcome is a label of the duration too: refusals (invalid documents, denied access) answer far
  // faster than work done, and mixed in they would hide how slow successful requests are.
  const durations = defineHistogram({
    registry,
    name: 'graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request (after its context was built) to sending its response, by operation name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'],
    buckets: CALL_BUCKETS,
  });
  const errors = defineCounter({
    registry,
    name: 'graphql_request_errors_total',
    help: 'GraphQL requests answered with errors, by operation name and the code of the first error (OTHER for a code outside the API)',
    labelNames: ['operation', 'code'],
  });
  const operationOf = boundedLabel(maxOperationNames, knownOperations);

  function record({ operationName, operation, response }: GraphQLRequestContextWillSendResponse<BaseContext>, startedAt: number) {
    const labels = { operation: operationOf(operationName), type: operation?.operation ?? 'unknown', outcome: 'success' };
    const { body } = response;
    const responseErrors: readonly GraphQLFormattedError[] | undefined = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
    const first = responseErrors?.[0];
    if (first) {
      labels.outcome = 'error';
      errors.inc({ operation: labels.operation, code: errorCodeLabel(first.extensions?.code) });
    }
    requests.inc(labels);
    durations.observe(labels, secondsSince(startedAt));
  }

  return {
    async contextCreationDidFail({ error }) {
      requests.inc({ operation: UNKNOWN_OPERATION, type: 'unknown', outcome: 'error' });
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      errors.inc({ operation: UNKNOWN_OPERATION, code: errorCodeLabel(code ?? 'INTERNAL_SERVER_ERROR') });
    },
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse(requestContext) {
          record(requestContext, startedAt);
        },
      };
    },
  };
}

/**
 * How one call to another service ended: `success`; `error`, it answered with GraphQL errors (its
 * verdict); `unavailable`, no usable answer (refused, reset, timed out, 5xx, not GraphQL);
 * `rejected`, its circuit breaker refused the call without trying.
 */
export type CallOutcome = 'success' | 'error' | 'unavailable' | 'rejected';

/**
 * Calls to other services by target and outcome, with durations: `subgraph_calls_total{subgraph}`
 * (the gateway's) or `service_calls_total{callee}` (orders' to products and users; not `service`,
 * which every series carries as the caller's name). Returns the function that records one call.
 */
export function callMetrics(kind: 'subgraph' | 'service', registry: Registry = metricsRegistry) {
  const target = kind === 'subgraph' ? 'subgraph' : 'callee';
  const calls = defineCounter({
    registry,
    name: `${kind}_calls_total`,
    help: `Calls to ${kind === 'subgraph' ? 'subgraphs' : 'other services'}, by ${target} and outcome (success, error, unavailable, rejected)`,
    labelNames: [target, 'outcome'],
  });
  const durations = defineHistogram({
    registry,
    name: `${kind}_call_duration_seconds`,
    help: `Duration of calls to ${kind === 'subgraph' ? 'subgraphs' : 'other services'}, answer body included, by ${target} and outcome`,
    labelNames: [target, 'outcome'],
    buckets: CALL_BUCKETS,
  });
  return (name: string, outcome: CallOutcome, startedAt: number): void => {
    const labels = { [target]: name, outcome };
    calls.inc(labels);
    durations.observe(labels, secondsSince(startedAt));
  };
}
