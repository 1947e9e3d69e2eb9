import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type GraphQLDataSourceProcessOptions, type ServiceMap } from '@apollo/gateway';
import type { PlanNode, QueryPlan } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { trace } from '@opentelemetry/api';
import type { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { OwnPlanner } from '../own-planner.js';
import type { SubgraphAnswer } from '../unavailable-answer.js';
import { appliesKey, partDocument, withoutMarks, type DeferredDocument, type DeferredFragment } from './deferred-document.js';
import type { DeferredPart, DeferredPlan } from './deferred-plan.js';
import { deferredPartMetrics } from './deferred-metrics.js';

const tracer = trace.getTracer('@shop/gateway');
const metrics = deferredPartMetrics();

export type ResponsePath = readonly (string | number)[];

/** One deferred fragment at one place in the response, announced before its data comes. */
export interface PendingFragment {
  /** Its id in the response (incrementalSpec's `pending`), unique in it. */
  id: string;
  /** The client's label for the fragment; none when it gave none. */
  label: string | undefined;
  path: ResponsePath;
}

/**
 * A pending fragment's data: its fields at its path, or null (with why) when an error took them;
 * undefined when its type condition does not hold there (it adds nothing).
 */
export interface CompletedFragment {
  pending: PendingFragment;
  data: Record<string, unknown> | null | undefined;
  errors: readonly GraphQLError[];
}

/** One deferred fragment's part, everywhere it applies, and the fragments deferred within it, now pending. */
export interface Delivery {
  completed: readonly CompletedFragment[];
  pending: readonly PendingFragment[];
  /** Whether more parts follow. */
  hasNext: boolean;
}

/** An operation run in parts: the first answer, with the fragments it leaves pending, then each part as it is ready. */
export interface Deferral {
  initial: GatewayExecutionResult;
  pending: readonly PendingFragment[];
  deliveries: AsyncIterable<Delivery>;
}

export interface DeferredExecution {
  own: OwnPlanner;
  plan: DeferredPlan;
  deferred: DeferredDocument;
  /** The supergraph's data sources, by subgraph: the ones @apollo/gateway calls. */
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  requestContext: GatewayGraphQLRequestContext<GatewayContext>;
}

/**
 * Runs a deferring operation as its parts, each by @apollo/gateway's executeQueryPlan (which
 * executes no DeferNode): the first part's plan alone, and each deferred fragment's as the first
 * part's plan followed by its own, all at once. Every subgraph call is made once per request
 * (callsOnce): a part running the first part's fetches again is answered what they were, so a
 * fragment's fetches start as soon as the fetches it needs are answered, independently of the
 * other fragments. Each part is shaped with a document holding its own fragment (and those it sits
 * in) and none of the others, and cut out at each place its fragment applies; a fragment deferred
 * within another is delivered after it.
 */
export async function executeDeferred(execution: DeferredExecution): Promise<Deferral> {
  const { plan, deferred } = execution;
  const startedAt = performance.now();
  const serviceMap = callsOnce(execution.dataSources);
  const run = (kept: ReadonlySet<string>, nodes: readonly (PlanNode | undefined)[], requestContext: GatewayGraphQLRequestContext<GatewayContext>) => {
    const present = nodes.filter((node) => node !== undefined);
    const queryPlan: QueryPlan = { kind: 'QueryPlan', node: present.length === 0 ? undefined : present.length === 1 ? present[0] : { kind: 'Sequence', nodes: present } };
    const operationContext = buildOperationContext({ schema: requestContext.schema, operationDocument: partDocument(deferred, kept) });
    return executeQueryPlan(queryPlan, serviceMap, requestContext, operationContext, execution.own.supergraphSchema, execution.own.apiSchema);
  };
  const results = new Map<string, Promise<GatewayExecutionResult>>();
  const runPart = (fragment: DeferredFragment, part: DeferredPart) =>
    tracer.startActiveSpan('gateway.defer.part', { attributes: { 'graphql.defer.label': fragment.clientLabel ?? '' } }, async (span) => {
      try {
        // Metrics of its own: executeQueryPlan writes the plan's trace there, which the first part's is.
        return await run(enclosing(deferred, fragment.label), [plan.primary, ...part.after], { ...execution.requestContext, metrics: {} });
      } finally {
        span.end();
      }
    });
  for (const fragment of deferred.fragments.values()) results.set(fragment.label, runPart(fragment, plan.parts[fragment.label]!));
  // Each part's failure is its own: it is awaited where it is delivered.
  for (const result of results.values()) result.catch(() => {});
  const marked = await run(new Set(), [plan.primary], execution.requestContext);

  let nextId = 0;
  /** The fragments deferred in `parent`'s part, pending at each place its answer marks them to apply. */
  const pendingIn = (data: unknown, parent: string | undefined): { fragment: DeferredFragment; pending: PendingFragment }[] =>
    [...deferred.fragments.values()]
      .filter((fragment) => fragment.parent === parent)
      .flatMap((fragment) =>
        placesOf(data, plan.parts[fragment.label]!.queryPath)
          .filter((path) => appliesKey(fragment.label) in (valueAt(data, path) as object))
          .map((path) => ({ fragment, pending: { id: String(nextId++), label: fragment.clientLabel, path } })),
      );
  const first = pendingIn(marked.data, undefined);
  const initial = { ...marked, data: withoutMarks(marked.data) as GatewayExecutionResult['data'] };
  return { initial, pending: first.map(({ pending }) => pending), deliveries: deliver(first, marked) };

  async function* deliver(pending: { fragment: DeferredFragment; pending: PendingFragment }[], parent: GatewayExecutionResult): AsyncGenerator<Delivery> {
    // The fragments pending now, each waiting on its own part: delivered in the order they are ready.
    type Waiting = { fragment: DeferredFragment; places: PendingFragment[]; parent: GatewayExecutionResult };
    const waiting = new Map<string, Waiting>();
    const add = (entries: typeof pending, of: GatewayExecutionResult) => {
      for (const { fragment, pending: place } of entries) {
        const entry = waiting.get(fragment.label) ?? { fragment, places: [], parent: of };
        entry.places.push(place);
        waiting.set(fragment.label, entry);
      }
    };
    add(pending, parent);
    const ready = new Map<string, Promise<[string, GatewayExecutionResult]>>();
    while (waiting.size > 0) {
      for (const label of waiting.keys()) if (!ready.has(label)) ready.set(label, results.get(label)!.then((result) => [label, result]));
      const [label, result] = await Promise.race(ready.values());
      ready.delete(label);
      const entry = waiting.get(label)!;
      waiting.delete(label);
      const children = pendingIn(result.data, label);
      add(children, result);
      const completed = completions(entry.fragment, entry.places, result, entry.parent);
      metrics.parts.inc({ outcome: completed.some((place) => place.errors.length > 0) ? 'error' : 'data' });
      metrics.seconds.observe((performance.now() - startedAt) / 1000);
      yield { completed, pending: children.map((child) => child.pending), hasNext: waiting.size > 0 };
    }
  }
}

/** The labels of `fragment` and of the deferred fragments it sits in: what its part's document keeps. */
function enclosing(deferred: DeferredDocument, label: string): Set<string> {
  const labels = new Set<string>();
  for (let current: string | undefined = label; current !== undefined; current = deferred.fragments.get(current)?.parent) labels.add(current);
  return labels;
}

/**
 * The places in `data` a query path reaches: each object at the end of its fields, every list on
 * the way crossed item by item, nulls left out (a fragment within a null applies nowhere).
 */
export function placesOf(data: unknown, queryPath: readonly string[]): ResponsePath[] {
  let places: { path: ResponsePath; value: unknown }[] = [{ path: [], value: data }];
  const crossLists = (entries: typeof places): typeof places =>
    entries.flatMap((entry) => (Array.isArray(entry.value) ? crossLists((entry.value as unknown[]).map((value, index) => ({ path: [...entry.path, index], value }))) : [entry]));
  for (const step of queryPath) {
    // A type condition on the way: the part's own document tells where its fragment applies.
    if (step.startsWith('... on ')) continue;
    places = crossLists(places).flatMap((entry) =>
      typeof entry.value === 'object' && entry.value !== null ? [{ path: [...entry.path, step], value: (entry.value as Record<string, unknown>)[step] }] : [],
    );
  }
  return crossLists(places)
    .filter((entry) => typeof entry.value === 'object' && entry.value !== null)
    .map((entry) => entry.path);
}

function valueAt(data: unknown, path: ResponsePath): unknown {
  let value = data;
  for (const step of path) value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[step] : undefined;
  return value;
}

const errorKey = (error: GraphQLError) => JSON.stringify([error.message, error.path ?? null]);
const isWithin = (path: ResponsePath, place: ResponsePath) => place.length <= path.length && place.every((step, index) => path[index] === step);

/**
 * What one fragment's part comes to at each of its places: its own fields there (those the
 * fragment selects), or null when an error took the object (never the data sent before). Its
 * errors are those its part found beyond its parent's, each at the place it lies within; one with
 * no place (a subgraph's error without a path) goes with the first.
 */
function completions(fragment: DeferredFragment, places: readonly PendingFragment[], result: GatewayExecutionResult, parent: GatewayExecutionResult): CompletedFragment[] {
  // The part ran its parent's fetches again (answered from the memo), so its errors hold the
  // parent's once each, beside its own: taken away as many times as the parent had each.
  const known = new Map<string, number>();
  for (const error of parent.errors ?? []) known.set(errorKey(error), (known.get(errorKey(error)) ?? 0) + 1);
  const fresh = (result.errors ?? []).filter((error) => {
    const left = known.get(errorKey(error)) ?? 0;
    if (left > 0) known.set(errorKey(error), left - 1);
    return left === 0;
  });
  const completed = places.map((pending): CompletedFragment & { errors: GraphQLError[] } => {
    const value = valueAt(result.data, pending.path);
    if (typeof value !== 'object' || value === null) return { pending, data: null, errors: [] };
    const object = value as Record<string, unknown>;
    // Its parent's answer marked it to apply here: its own tells the same, unless the two disagree.
    if (!(appliesKey(fragment.label) in object)) return { pending, data: undefined, errors: [] };
    return { pending, data: Object.fromEntries([...fragment.keys].filter((key) => key in object).map((key) => [key, withoutMarks(object[key])])), errors: [] };
  });
  for (const error of fresh) {
    const owner = completed.find((entry) => error.path && isWithin(error.path, entry.pending.path)) ?? completed[0];
    owner?.errors.push(error);
  }
  return completed;
}

/**
 * The data sources of one request's parts: each subgraph call (the same query with the same
 * variables) is sent once, and every part asking it again gets a copy of its answer, so a
 * mutation or any fetch of the first part never runs twice.
 */
function callsOnce(dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>): ServiceMap {
  const answers = new Map<string, Promise<SubgraphAnswer>>();
  const serviceMap: ServiceMap = Object.create(null) as ServiceMap;
  for (const [name, dataSource] of dataSources) {
    serviceMap[name] = {
      process: async (options: GraphQLDataSourceProcessOptions<GatewayContext>) => {
        const key = `${name}\n${options.request.query ?? ''}\n${JSON.stringify(options.request.variables ?? {})}`;
        let answer = answers.get(key);
        if (!answer) answers.set(key, (answer = dataSource.process(options)));
        // executeQueryPlan merges into what it is given: each part gets its own copy.
        return structuredClone(await answer);
      },
    } satisfies GraphQLDataSource<GatewayContext>;
  }
  return serviceMap;
}
