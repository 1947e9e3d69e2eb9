import { describe, expect, it } from 'vitest';
import { buildOperationContext, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { parse } from 'graphql';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';
import type { GatewayContext } from '../../src/context.js';
import type { FederatedSupergraph } from '../../src/reloadable-gateway.js';
import { unavailableAnswer } from '../../src/unavailable-answer.js';
import { committedAtOf, executeEvent } from '../../src/subscriptions/event-execution.js';
import { subscriptionPlannerOf } from '../../src/subscriptions/subscription-planner.js';
import { composeSubgraphs } from '../../../scripts/supergraph.js';
import { BOOKS, LIVE_LIBRARY_SCHEMAS, LIVE_LIBRARY_SUBGRAPHS, READERS } from '../../../test/support/live-library.js';
import { testLogger } from '../../../test/support/logger.js';

type Representation = { __typename: string; id: string };

/** A subgraph that answers entity fetches from `rows` (or cannot be reached), recording each query it is sent. */
function entitySubgraph(name: string, rows: { id: string }[], reachable = true) {
  const queries: string[] = [];
  const dataSource: GraphQLDataSource<GatewayContext> = {
    process: async ({ request }: GraphQLDataSourceProcessOptions<GatewayContext>) => {
      queries.push(request.query ?? '');
      if (!reachable) return unavailableAnswer(name, request);
      const representations = (request.variables?.representations ?? []) as Representation[];
      return { data: { _entities: representations.map(({ id }) => rows.find((row) => row.id === id) ?? null) } };
    },
  };
  return { dataSource, queries };
}

/** The live library's supergraph, served by stand-ins: no server at all. */
function federation(reachable: { members?: boolean } = {}) {
  const urls = new Map(LIVE_LIBRARY_SUBGRAPHS.map((name) => [name, `http://${name}.invalid/graphql`]));
  const sdl = composeSubgraphs(LIVE_LIBRARY_SUBGRAPHS.map((name) => ({ name, url: urls.get(name)!, sdl: LIVE_LIBRARY_SCHEMAS[name] })));
  const supergraph = Supergraph.build(sdl, { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
  const members = entitySubgraph('members', READERS, reachable.members ?? true);
  const catalogue = entitySubgraph('catalogue', BOOKS);
  const circulation = entitySubgraph('circulation', []);
  const dataSources = new Map([
    ['members', members.dataSource],
    ['catalogue', catalogue.dataSource],
    ['circulation', circulation.dataSource],
  ]);
  const federated: FederatedSupergraph = { supergraph: () => supergraph, dataSources, subgraphs: urls, retired: new AbortController().signal, overrideLabelsOn: () => [] };
  return { federated, schema: supergraph.apiSchema().toGraphQLJSSchema(), members, catalogue, circulation };
}

const SUBSCRIPTION = 'subscription Loan($id: ID!) { loanChanged(id: $id) { id status reader { name } book { title } } }';
/** What circulation pushes for one change: the loan, its reader and book as references. */
const EVENT = { data: { loanChanged: { id: 'l1', status: 'OVERDUE', reader: { __typename: 'Reader', id: 'r1' }, book: { __typename: 'Book', id: 'b1' } } } };

function execution(setup: ReturnType<typeof federation>) {
  const document = parse(SUBSCRIPTION);
  const planner = subscriptionPlannerOf(setup.federated);
  const plan = planner.plan(document, 'Loan', 'a-hash');
  // What Apollo Server hands the gateway's executor, as far as executeQueryPlan reads it.
  const requestContext = {
    request: { query: SUBSCRIPTION, operationName: 'Loan', variables: { id: 'l1' } },
    context: { requestId: 'r', logger: testLogger('event-execution'), clientAddress: '127.0.0.1' },
    document,
    operationName: 'Loan',
    metrics: {},
    logger: testLogger('event-execution'),
  } as unknown as GatewayGraphQLRequestContext<GatewayContext>;
  return { plan, planner, dataSources: setup.federated.dataSources, requestContext, operationContext: buildOperationContext({ schema: setup.schema, operationDocument: document, operationName: 'Loan' }) };
}

describe('executeEvent', () => {
  it("plans the subscription's primary fetch on its owner, the joins as the rest", () => {
    const { plan } = execution(federation());
    expect(plan.primary).toMatchObject({ serviceName: 'circulation', operationKind: 'subscription', variableUsages: ['id'] });
    expect(plan.primary.operation).toMatch(/^subscription Loan__circulation__0\(\$id:ID!\)\{loanChanged\(id:\$id\)/);
    expect(JSON.stringify(plan.rest)).toContain('"serviceName":"members"');
    expect(JSON.stringify(plan.rest)).toContain('"serviceName":"catalogue"');
  });

  it('completes an event as a query: the primary answered with the event, the entities from their owners', async () => {
    const setup = federation();
    const result = await executeEvent(execution(setup), structuredClone(EVENT));
    expect(result).toEqual({ data: { loanChanged: { id: 'l1', status: 'OVERDUE', reader: { name: 'Ada' }, book: { title: BOOKS[0]!.title } } } });
    // The event stands for circulation's answer: it is asked nothing.
    expect(setup.circulation.queries).toEqual([]);
    expect(setup.members.queries).toHaveLength(1);
    expect(setup.catalogue.queries).toHaveLength(1);
  });

  it('answers SERVICE_UNAVAILABLE on the paths a subgraph that is down should have filled', async () => {
    const result = await executeEvent(execution(federation({ members: false })), structuredClone(EVENT));
    // reader is non-null, so its null reaches the nullable root of the event.
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toContainEqual([['loanChanged', 'reader'], 'SERVICE_UNAVAILABLE']);
  });

  it("passes on the subgraph's own errors in an event with their codes and paths", async () => {
    const result = await executeEvent(execution(federation()), { data: null, errors: [{ message: 'Not your loan', path: ['loanChanged'], extensions: { code: 'FORBIDDEN' } }] });
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => [error.message, error.path, error.extensions?.code, error.extensions?.serviceName])).toEqual([['Not your loan', ['loanChanged'], 'FORBIDDEN', 'circulation']]);
  });
});

describe('committedAtOf', () => {
  it("reads when an event's change was committed from the subgraph's extensions.committedAt, and nothing that is not a time", () => {
    expect(committedAtOf({ extensions: { committedAt: '2026-12-07T18:00:00.123Z' } })).toBe(Date.UTC(2026, 11, 7, 18, 0, 0, 123));
    expect(committedAtOf({ extensions: { eventId: '7' } })).toBeUndefined();
    expect(committedAtOf({})).toBeUndefined();
    expect(committedAtOf({ extensions: { committedAt: 'yesterday' } })).toBeUndefined();
    expect(committedAtOf({ extensions: { committedAt: 1_765_130_400_000 } })).toBeUndefined();
    expect(committedAtOf({ extensions: { committedAt: `2026-12-07T18:00:00Z${' '.repeat(100)}` } })).toBeUndefined();
  });
});
