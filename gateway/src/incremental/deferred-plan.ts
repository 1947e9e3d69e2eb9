import { operationFromDocument } from '@apollo/federation-internals';
import type { DeferredNode, PlanNode } from '@apollo/query-planner';
import { GraphQLError } from 'graphql';
import { overrideConditionsOf } from '../override/progressive-override.js';
import type { FederatedSupergraph } from '../reloadable-gateway.js';
import { ownPlannerOf, type OwnPlanner } from '../own-planner.js';
import type { DeferredDocument } from './deferred-document.js';

/** One deferred fragment's part of a plan: what runs after the first part's fetches, where its data goes. */
export interface DeferredPart {
  /** The fragment's label (deferred-document.ts gives each its own). */
  label: string;
  /** Where the fragment sits in the response: field response names, lists crossed without an index. */
  queryPath: readonly string[];
  /** What runs after the first part's plan, in order: its enclosing deferred fragments' fetches, then its own (none when the data is there already). */
  after: readonly PlanNode[];
}

/** A plan with its DeferNodes taken apart: the first part's fetches, then each deferred fragment's. */
export interface DeferredPlan {
  primary: PlanNode | undefined;
  /** By label; a plain object, so the plan cache sizes it by its JSON. */
  parts: Readonly<Record<string, DeferredPart>>;
}

/**
 * Deferring operations planned on one supergraph by the gateway's own planner (own-planner.ts,
 * `@defer` on), kept with its plans by the document, the operation, which of its `@defer`s are
 * on, and the request's `@override` labels.
 */
export class DeferredPlanner {
  readonly own: OwnPlanner;

  constructor(federation: FederatedSupergraph) {
    this.own = ownPlannerOf(federation);
  }

  /** The plan of operation `operationName` of a document (its hash: Apollo Server's `queryHash`, of the whole text), as `deferred` made it plain. */
  plan(deferred: DeferredDocument, queryHash: string, operationName: string | undefined, overrideLabelsOn: readonly string[]): DeferredPlan {
    // The operation in the key: a document's operations share its hash, and each its own plan.
    return this.own.planned(`defer\n${operationName ?? ''}\n${queryHash}\n${deferred.decided}\n${overrideLabelsOn.join(',')}`, (): DeferredPlan => {
      const overrideConditions = overrideConditionsOf(overrideLabelsOn);
      const operation = operationFromDocument(this.own.apiSchema, deferred.document, { validate: false });
      const node = this.own.planner.buildQueryPlan(operation, overrideConditions ? { overrideConditions } : undefined).node;
      if (node?.kind === 'Subscription') throw new GraphQLError('A subscription is not deferred');
      const plan = splitDeferred(node);
      for (const label of deferred.fragments.keys()) {
        // Every fragment labelled is one the planner kept: anything else is a planner this gateway does not know.
        if (!Object.hasOwn(plan.parts, label)) throw new Error(`the plan has no part for the deferred fragment ${label}`);
      }
      return plan;
    });
  }
}

/** Takes a plan's DeferNodes apart: each is replaced by its primary, and its deferred fragments become parts. */
export function splitDeferred(node: PlanNode | undefined): DeferredPlan {
  const parts: Record<string, DeferredPart> = {};
  const collect = (deferred: DeferredNode, before: readonly PlanNode[]) => {
    if (deferred.label === undefined) throw new Error('the planner left a deferred fragment without its label');
    const children: DeferredNode[] = [];
    const own = deferred.node ? withoutDefers(deferred.node, (child) => children.push(child)) : undefined;
    const after = own ? [...before, own] : before;
    parts[deferred.label] = { label: deferred.label, queryPath: deferred.queryPath, after };
    for (const child of children) collect(child, after);
  };
  const top: DeferredNode[] = [];
  const primary = node ? withoutDefers(node, (deferred) => top.push(deferred)) : undefined;
  for (const deferred of top) collect(deferred, []);
  return { primary, parts };
}

/** `node` with each DeferNode in it replaced by its primary's plan; `found` is called with each deferred fragment it held. */
function withoutDefers(node: PlanNode, found: (deferred: DeferredNode) => void): PlanNode | undefined {
  switch (node.kind) {
    case 'Defer':
      node.deferred.forEach(found);
      return node.primary.node ? withoutDefers(node.primary.node, found) : undefined;
    case 'Sequence':
    case 'Parallel': {
      const nodes = node.nodes.map((child) => withoutDefers(child, found)).filter((child) => child !== undefined);
      return nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : { ...node, nodes };
    }
    case 'Flatten': {
      const inner = withoutDefers(node.node, found);
      return inner ? { ...node, node: inner } : undefined;
    }
    case 'Condition': {
      const ifClause = node.ifClause && withoutDefers(node.ifClause, found);
      const elseClause = node.elseClause && withoutDefers(node.elseClause, found);
      return { ...node, ...(ifClause ? { ifClause } : { ifClause: undefined }), ...(elseClause ? { elseClause } : { elseClause: undefined }) };
    }
    case 'Fetch':
      return node;
  }
}

const planners = new WeakMap<FederatedSupergraph, DeferredPlanner>();

/** The planner of `federation`'s deferring operations, made at the first. */
export function deferredPlannerOf(federation: FederatedSupergraph): DeferredPlanner {
  let planner = planners.get(federation);
  if (!planner) planners.set(federation, (planner = new DeferredPlanner(federation)));
  return planner;
}
