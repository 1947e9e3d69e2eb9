import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApolloGateway } from '@apollo/gateway';
import type { Schema } from '@apollo/federation-internals';
import type { QueryPlanner } from '@apollo/query-planner';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import type { Logger } from '@shop/service-kit';
import type { GatewayContext } from '../context.js';
import { sha256Hex } from '../sha256.js';
import { activeOverrideLabels, stickyKeyOf } from './decide.js';
import { overrideLabelsOf, percentOf } from './labels.js';
import { MAX_COUNTED_LABELS, overrideMetrics, type OverrideMetrics } from './override-metrics.js';

/** The override conditions of the request being planned: set around @apollo/gateway's executor, read by its planner. */
const requestConditions = new AsyncLocalStorage<ReadonlyMap<string, boolean>>();

/** @apollo/gateway keeps its planner private (pinned 2.14.4; gateway/test/override/ fails when it moves). */
interface PlannerInternals {
  queryPlanner: QueryPlanner;
}

/**
 * Makes `gateway`'s planner plan with the override conditions of the request it plans for.
 * @apollo/gateway calls `buildQueryPlan` with none (federation#2979), so every labelled
 * `@override` would resolve from the subgraph it overrides. Planning outside a request (plans
 * made ahead, plan-warmup.ts) gets none: every label off, as the supergraph's default.
 */
function planWithRequestConditions(gateway: ApolloGateway): void {
  const planner = (gateway as unknown as PlannerInternals).queryPlanner;
  const buildQueryPlan = planner.buildQueryPlan.bind(planner);
  planner.buildQueryPlan = (operation, options) => {
    const overrideConditions = requestConditions.getStore();
    return buildQueryPlan(operation, overrideConditions ? { ...options, overrideConditions: new Map(overrideConditions) } : options);
  };
}

/** What one supergraph's `@override` labels come to: its labels, those configured on, and those on for a request's shopper. */
export interface OverrideDecision {
  labels: readonly string[];
  /** The named labels on for every request (OVERRIDE_LABELS). */
  configured: ReadonlySet<string>;
  /** The labels on for a request (activeOverrideLabels), as its queries and its subscriptions' events are planned with them. */
  labelsOn: (context: GatewayContext) => readonly string[];
}

/** Reads `supergraph`'s labels once, for every planner that serves it. */
export function overrideDecision(supergraph: Schema, configured: readonly string[]): OverrideDecision {
  const labels = overrideLabelsOf(supergraph);
  const on = new Set(configured);
  return { labels, configured: on, labelsOn: (context) => (labels.length === 0 ? [] : activeOverrideLabels(labels, on, stickyKeyOf(context))) };
}

/** The planner's override conditions for the labels on; undefined (the supergraph's defaults) when none is. */
export function overrideConditionsOf(labelsOn: readonly string[]): Map<string, boolean> | undefined {
  return labelsOn.length === 0 ? undefined : new Map(labelsOn.map((label) => [label, true]));
}

export interface ProgressiveOverrideOptions {
  /** The labels of the supergraph `gateway` serves (its `@override(label:)`s), and how they are decided. */
  decision: OverrideDecision;
  logger: Logger;
  metrics?: OverrideMetrics;
}

/**
 * Federation's progressive override through @apollo/gateway: wraps the executor of one loaded
 * `gateway` so each request is planned with its labels on, `percent(x)` decided per shopper
 * (./decide.ts) and any other by configuration. The plan cache key (Apollo Server's queryHash,
 * which @apollo/gateway keys plans by) takes the request's labels that are on, so a plan made
 * with a label off never serves a request with it on. A supergraph without labels changes nothing.
 */
export function progressiveOverride(gateway: ApolloGateway, options: ProgressiveOverrideOptions): (execute: GatewayExecutor) => GatewayExecutor {
  const { labels, configured } = options.decision;
  const unknown = [...configured].filter((label) => !labels.includes(label));
  if (unknown.length > 0) options.logger.warn({ overrideLabels: unknown }, 'OVERRIDE_LABELS names labels no @override of this supergraph carries');
  if (labels.length === 0) return (execute) => execute;
  options.logger.info(
    { overrideLabels: { percent: labels.filter((label) => percentOf(label) !== undefined), on: labels.filter((label) => configured.has(label)), off: labels.filter((label) => percentOf(label) === undefined && !configured.has(label)) } },
    'progressive override: labels of this supergraph',
  );
  planWithRequestConditions(gateway);
  const metrics = options.metrics ?? overrideMetrics();
  const countedAs = (label: string) => (labels.indexOf(label) < MAX_COUNTED_LABELS ? label : 'other');
  return (execute) => async (requestContext) => {
    const context = requestContext.context as GatewayContext;
    const active = options.decision.labelsOn(context);
    for (const label of labels) metrics.requests.inc({ label: countedAs(label), on: String(active.includes(label)) });
    // With every label off the plan is the supergraph's default one: the plan made ahead, under the document's own key.
    if (active.length === 0) return execute(requestContext);
    const conditions = overrideConditionsOf(active)!;
    const queryHash = sha256Hex(`${requestContext.queryHash}\noverride-labels:${active.join(',')}`);
    return requestConditions.run(conditions, () => execute({ ...requestContext, queryHash }));
  };
}
