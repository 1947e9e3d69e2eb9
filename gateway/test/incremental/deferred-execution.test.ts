import { describe, expect, it } from 'vitest';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { OperationTypeNode, parse } from 'graphql';
import { SUPPORTED_SUPERGRAPH_FEATURES } from '../../src/authorization/supergraph-features.js';
import type { GatewayContext } from '../../src/context.js';
import type { FederatedSupergraph } from '../../src/reloadable-gateway.js';
import { unavailableAnswer } from '../../src/unavailable-answer.js';
import { deferredDocument } from '../../src/incremental/deferred-document.js';
import { withDeferDirective } from '../../src/incremental/defer-directive.js';
import { executeDeferred, placesOf, type Delivery } from '../../src/incremental/deferred-execution.js';
import { deferredPlannerOf, splitDeferred } from '../../src/incremental/deferred-plan.js';
import { composeSubgraphs } from '../../../scripts/supergraph.js';
import { BOOKS, LIVE_LIBRARY_SCHEMAS, LIVE_LIBRARY_SUBGRAPHS, LOANS, READERS } from '../../../test/support/live-library.js';
import { testLogger } from '../../../test/support/logger.js';

type Representation = { __typename: string; id: string };

/** A stand-in subgraph: answers from `answer`, after `gate` when one is set, recording each query it is sent. */
function standIn(name: string, answer: (variables: Record<string, unknown>) => unknown) {
  const calls: string[] = [];
  const standIn = {
    calls,
    gate: undefined as Promise<void> | undefined,
    reachable: true,
    dataSource: {
      process: async ({ request }: GraphQLDataSourceProcessOptions<GatewayContext>) => {
        calls.push(request.query ?? '');
        await standIn.gate;
        if (!standIn.reachable) return unavailableAnswer(name, request);
        return { data: answer(request.variables ?? {}) as Record<string, unknown> };
      },
    } satisfies GraphQLDataSource<GatewayContext>,
  };
  return standIn;
}

const entities = (rows: { id: string }[]) => (variables: Record<string, unknown>) => ({
  _entities: ((variables.representations ?? []) as Representation[]).map(({ __typename, id }) => {
    const row = rows.find((candidate) => candidate.id === id);
    return row ? { __typename, ...row } : null;
  }),
});

/** The live library's supergraph on stand-ins: a loan at circulation, its reader at members, its book at catalogue. */
function library() {
  const urls = new Map(LIVE_LIBRARY_SUBGRAPHS.map((name) => [name, `http://${name}.invalid/graphql`]));
  const supergraph = Supergraph.build(composeSubgraphs(LIVE_LIBRARY_SUBGRAPHS.map((name) => ({ name, url: urls.get(name)!, sdl: LIVE_LIBRARY_SCHEMAS[name] }))), { supportedFeatures: SUPPORTED_SUPERGRAPH_FEATURES });
  const loanOf = (id: unknown) => {
    const loan = LOANS.find((row) => row.id === id);
    return loan ? { __typename: 'Loan', id: loan.id, status: 'LENT', reader: { __typename: 'Reader', id: loan.readerId }, book: { __typename: 'Book', id: loan.bookId } } : null;
  };
  // The loan by id, and as an entity: the planner fetches a fragment's references from it again.
  const circulation = standIn('circulation', (variables) =>
    variables.representations ? { _entities: (variables.representations as Representation[]).map(({ id }) => loanOf(id)) } : { loan: loanOf(variables.id) },
  );
  const members = standIn('members', entities(READERS));
  const catalogue = standIn('catalogue', (variables) => (variables.representations ? entities(BOOKS)(variables) : { books: BOOKS.map((book) => ({ __typename: 'Book', ...book })) }));
  const federation: FederatedSupergraph = {
    supergraph: () => supergraph,
    dataSources: new Map<string, GraphQLDataSource<GatewayContext>>([
      ['circulation', circulation.dataSource],
      ['members', members.dataSource],
      ['catalogue', catalogue.dataSource],
    ]),
    subgraphs: urls,
    retired: new AbortController().signal,
    overrideLabelsOn: () => [],
  };
  const schema = withDeferDirective(supergraph.apiSchema().toGraphQLJSSchema());
  /** Runs `query` in parts, as the gateway's executor would for a client that accepts them. */
  const run = async (query: string, variables: Record<string, unknown> = {}, operationName?: string) => {
    const document = parse(query);
    const deferred = deferredDocument(document, operationName, variables)!;
    const planner = deferredPlannerOf(federation);
    const plan = planner.plan(deferred, query, operationName, []);
    // What Apollo Server hands the gateway's executor, as far as executeQueryPlan reads it.
    const requestContext = {
      request: { query, variables, operationName },
      context: { requestId: 'r', logger: testLogger('deferred-execution'), clientAddress: '127.0.0.1' },
      schema,
      document,
      metrics: {},
      logger: testLogger('deferred-execution'),
    } as unknown as GatewayGraphQLRequestContext<GatewayContext>;
    return executeDeferred({ own: planner.own, plan, deferred, dataSources: federation.dataSources, requestContext });
  };
  return { run, circulation, members, catalogue };
}

const LOAN = 'query($id: ID!) { loan(id: $id) { id status ... @defer(label: "reader") { reader { name } } ... @defer(label: "book") { book { title } } } }';

async function collect(deliveries: AsyncIterable<Delivery>): Promise<Delivery[]> {
  const all: Delivery[] = [];
  for await (const delivery of deliveries) all.push(delivery);
  return all;
}

describe('executeDeferred', () => {
  it('answers the first part without the deferred fragments, then each fragment at its place; merged, the whole answer', async () => {
    const { run } = library();
    const deferral = await run(LOAN, { id: 'l1' });
    expect(deferral.initial).toEqual({ data: { loan: { id: 'l1', status: 'LENT' } } });
    expect(deferral.pending.map(({ label, path }) => ({ label, path }))).toEqual([
      { label: 'reader', path: ['loan'] },
      { label: 'book', path: ['loan'] },
    ]);
    const deliveries = await collect(deferral.deliveries);
    const merged = structuredClone(deferral.initial.data) as { loan: Record<string, unknown> };
    for (const { completed } of deliveries) for (const entry of completed) Object.assign(merged.loan, entry.data);
    expect(merged).toEqual({ loan: { id: 'l1', status: 'LENT', reader: { name: 'Ada' }, book: { title: 'The Federated Planner' } } });
    expect(deliveries.at(-1)?.hasNext).toBe(false);
  });

  it("sends each subgraph call once per request, however many parts run the first part's fetches", async () => {
    const { run, circulation, members, catalogue } = library();
    await collect((await run(LOAN, { id: 'l1' })).deliveries);
    // The loan itself once; each fragment's own fetch of its reference (the planner's) once each.
    expect(circulation.calls.filter((query) => query.includes('loan(id:'))).toHaveLength(1);
    expect(circulation.calls).toHaveLength(3);
    expect(members.calls).toHaveLength(1);
    expect(catalogue.calls).toHaveLength(1);
  });

  it('delivers a fast fragment while a slow one still waits on its subgraph', async () => {
    const { run, catalogue } = library();
    let release = () => {};
    catalogue.gate = new Promise((resolve) => (release = resolve));
    const deferral = await run(LOAN, { id: 'l1' });
    const iterator = deferral.deliveries[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ completed: [{ pending: { label: 'reader' }, data: { reader: { name: 'Ada' } } }], hasNext: true });
    release();
    expect((await iterator.next()).value).toMatchObject({ completed: [{ pending: { label: 'book' }, data: { book: { title: 'The Federated Planner' } } }], hasNext: false });
    expect((await iterator.next()).done).toBe(true);
  });

  it("puts a subgraph's outage in the part that needed it: null there with SERVICE_UNAVAILABLE, the data sent before untouched", async () => {
    const { run, members } = library();
    members.reachable = false;
    const deferral = await run(LOAN, { id: 'l1' });
    expect(deferral.initial).toEqual({ data: { loan: { id: 'l1', status: 'LENT' } } });
    const deliveries = await collect(deferral.deliveries);
    const reader = deliveries.flatMap((delivery) => delivery.completed).find((entry) => entry.pending.label === 'reader')!;
    // Reader.name and Loan.reader are non-null: the null reaches the fragment's own object, and stops there.
    expect(reader.data).toBeNull();
    expect(reader.errors.map((error) => [error.extensions.code, error.path])).toEqual([['SERVICE_UNAVAILABLE', ['loan', 'reader']]]);
    const book = deliveries.flatMap((delivery) => delivery.completed).find((entry) => entry.pending.label === 'book')!;
    expect(book).toMatchObject({ data: { book: { title: 'The Federated Planner' } }, errors: [] });
  });

  it('keeps a part\'s own error when its parent met the same one (the same subgraph down for both)', async () => {
    const { run, members } = library();
    members.reachable = false;
    const deferral = await run('query($id: ID!) { loan(id: $id) { id reader { email } ... @defer(label: "r") { reader { name } } } }', { id: 'l1' });
    expect(deferral.initial.errors?.map((error) => [error.extensions.code, error.path])).toEqual([['SERVICE_UNAVAILABLE', ['loan', 'reader']]]);
    const [delivery] = await collect(deferral.deliveries);
    expect(delivery?.completed.map((entry) => [entry.data, entry.errors.map((error) => [error.extensions.code, error.path])])).toEqual([[null, [['SERVICE_UNAVAILABLE', ['loan', 'reader']]]]]);
  });

  it('plans each operation of a document apart: one never runs the plan of another', async () => {
    const { run, catalogue, circulation } = library();
    const document = 'query A($id: ID!) { loan(id: $id) { id ... @defer { reader { name } } } } query B { books { id ... @defer { title } } }';
    await collect((await run(document, { id: 'l1' }, 'A')).deliveries);
    const b = await run(document, {}, 'B');
    expect(b.initial).toEqual({ data: { books: BOOKS.map(({ id }) => ({ id })) } });
    expect((await collect(b.deliveries)).flatMap((delivery) => delivery.completed.map((entry) => entry.data))).toEqual(BOOKS.map(({ title }) => ({ title })));
    expect(circulation.calls.filter((query) => query.includes('books'))).toEqual([]);
    expect(catalogue.calls.some((query) => query.includes('books'))).toBe(true);
  });

  it('announces a fragment only where it applies: none where its @include is off', async () => {
    const { run } = library();
    const query = 'query($x: Boolean!) { books { id ... @include(if: $x) @defer { title } } }';
    const off = await run(query, { x: false });
    expect(off.pending).toEqual([]);
    expect(await collect(off.deliveries)).toEqual([]);
    expect((await run(query, { x: true })).pending).toHaveLength(BOOKS.length);
  });

  it('delivers nothing for a fragment whose object is null in the first part', async () => {
    const { run, members } = library();
    const deferral = await run(LOAN, { id: 'nobody' });
    expect(deferral.initial).toEqual({ data: { loan: null } });
    expect(deferral.pending).toEqual([]);
    expect(await collect(deferral.deliveries)).toEqual([]);
    expect(members.calls).toEqual([]);
  });

  it('delivers a fragment deferred within another after it, at each place of a list', async () => {
    const { run } = library();
    const deferral = await run('{ books { id ... @defer(label: "outer") { title ... @defer(label: "inner") { id } } } }');
    expect(deferral.pending.map((pending) => pending.path)).toEqual([
      ['books', 0],
      ['books', 1],
    ]);
    const [outer, inner] = await collect(deferral.deliveries);
    expect(outer?.completed.map((entry) => entry.data)).toEqual([{ title: 'The Federated Planner' }, { title: 'Joins Considered Harmful' }]);
    expect(outer?.pending.map((pending) => [pending.label, pending.path])).toEqual([
      ['inner', ['books', 0]],
      ['inner', ['books', 1]],
    ]);
    expect(inner?.hasNext).toBe(false);
  });
});

describe('splitDeferred and placesOf', () => {
  it('takes the DeferNodes out of a plan: the first part alone, each fragment after its enclosing ones', () => {
    const fetch = (id: string) => ({ kind: 'Fetch' as const, serviceName: id, operation: '', operationKind: OperationTypeNode.QUERY, operationName: undefined, variableUsages: [] });
    const plan = splitDeferred({
      kind: 'Defer',
      primary: { node: fetch('first') },
      deferred: [{ depends: [], label: 'a', queryPath: ['x'], node: { kind: 'Defer', primary: { node: fetch('a') }, deferred: [{ depends: [], label: 'b', queryPath: ['x', 'y'], node: fetch('b') }] } }],
    });
    expect(plan.primary).toEqual(fetch('first'));
    expect(plan.parts.a?.after).toEqual([fetch('a')]);
    expect(plan.parts.b?.after).toEqual([fetch('a'), fetch('b')]);
  });

  it('finds every place a query path reaches, across lists, leaving nulls out', () => {
    const data = { order: { items: [{ product: { id: 1 } }, { product: null }, { product: { id: 3 } }] } };
    expect(placesOf(data, ['order', 'items', 'product'])).toEqual([
      ['order', 'items', 0, 'product'],
      ['order', 'items', 2, 'product'],
    ]);
    expect(placesOf(data, ['order', 'items'])).toHaveLength(3);
    expect(placesOf({ order: null }, ['order'])).toEqual([]);
    expect(placesOf(data, [])).toEqual([[]]);
  });
});
