import { createHash } from 'node:crypto';
import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { ApolloGateway } from '@apollo/gateway';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import { Kind, parse } from 'graphql';
import type { Logger } from '@shop/service-kit';
import type { PersistedDocuments } from './persisted-documents.js';

/**
 * What planning reads and writes inside @apollo/gateway: it exposes no way to plan ahead, so this
 * reaches its fields (pinned 2.14.4; gateway/test/plan-warmup.test.ts fails when they move) and
 * does exactly what its executor does on a first request.
 */
interface PlanningInternals {
  apiSchema: Schema;
  queryPlanner: QueryPlanner;
  queryPlanStore: { set(key: string, plan: QueryPlan): Promise<void> };
  recursiveSelectionsLimitDisabled: boolean;
  nonLocalSelectionsLimitDisabled: boolean;
}

/**
 * The plan cache key @apollo/gateway gives a request: its query's hash (Apollo Server's
 * `queryHash`: the persisted document's own hash), and with the operation's name when the request
 * names it (the SDK sends none; other clients may).
 */
export function planCacheKeys(hash: string, operationName: string | undefined): string[] {
  return operationName ? [hash, createHash('sha256').update(hash).update(operationName).digest('hex')] : [hash];
}

/**
 * Plans every persisted document on a freshly loaded gateway, so the first requests after a
 * start or a reload do not pay for planning. One document at a time, yielding between them, so a
 * live reload does not hold up the requests being served meanwhile.
 */
export async function planPersistedDocuments(gateway: ApolloGateway, documents: PersistedDocuments, logger: Logger): Promise<{ planned: number; ms: number }> {
  // @apollo/gateway keeps these private in its types; see PlanningInternals.
  const internals = gateway as unknown as PlanningInternals;
  const startedAt = performance.now();
  let planned = 0;
  const unplanned: { document: string; reason: string }[] = [];
  for (const [hash, text] of documents) {
    try {
      const document = parse(text);
      const operationName = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION)?.name?.value;
      const plan = internals.queryPlanner.buildQueryPlan(operationFromDocument(internals.apiSchema, document, { operationName }), {
        recursiveSelectionsLimitDisabled: internals.recursiveSelectionsLimitDisabled,
        nonLocalSelectionsLimitDisabled: internals.nonLocalSelectionsLimitDisabled,
      });
      // The manifest's key is the text's own SHA-256 (loadPersistedDocuments checks it): Apollo Server's queryHash.
      for (const key of planCacheKeys(hash, operationName)) await internals.queryPlanStore.set(key, plan);
      planned += 1;
    } catch (error) {
      // A document this supergraph cannot serve: its requests will be refused as they come.
      unplanned.push({ document: hash, reason: error instanceof Error ? error.message : String(error) });
    }
    await yieldToRequests();
  }
  if (unplanned.length > 0) {
    logger.warn({ unplanned: unplanned.length, first: unplanned[0] }, 'persisted documents that do not plan on this supergraph: their requests will be refused');
  }
  return { planned, ms: Math.round(performance.now() - startedAt) };
}
