import { EventEmitter, on } from 'node:events';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { composeSubgraphs, type SubgraphSource } from '../../scripts/supergraph.js';
import { serveSubgraphs } from './loopback-server.js';

/**
 * A supergraph that is not the shop's and has subscriptions: a library's circulation desk, whose
 * loans change while readers watch, in three in-memory subgraphs. `circulation` owns the loans and
 * their subscriptions, served over GraphQL over SSE (The Guild's graphql-sse, distinct connections,
 * at the same `/graphql` as its queries, chosen by `Accept: text/event-stream`) as the shop's
 * orders subgraph serves its own; `members` and `catalogue` own the readers and books a loan
 * points at, so every event needs a join. One subscription field is `@authenticated`, as is one
 * field of a reader, for declared authorization at subscribe time and in every event. Every
 * stream circulation opens is recorded with the headers it came with.
 */
const FEDERATION = (imports: string[]) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [${imports.map((name) => `"${name}"`).join(', ')}])`;

const SCHEMAS = {
  circulation: `${FEDERATION(['@key', '@authenticated'])}
    type Query { loan(id: ID!): Loan }
    type Subscription {
      "Each change of one loan; ends when the loan is returned."
      loanChanged(id: ID!): Loan!
      "Every loan's changes, for the desk: signed-in staff only."
      desk: Loan! @authenticated
    }
    "One book lent to one reader."
    type Loan @key(fields: "id") { id: ID!  status: String!  reader: Reader!  book: Book! }
    type Reader @key(fields: "id", resolvable: false) { id: ID! }
    type Book @key(fields: "id", resolvable: false) { id: ID! }`,
  members: `${FEDERATION(['@key', '@authenticated'])}
    "A library member."
    type Reader @key(fields: "id") { id: ID!  name: String!  email: String @authenticated }`,
  catalogue: `${FEDERATION(['@key'])}
    type Query { books: [Book!]! }
    "A book on the shelves."
    type Book @key(fields: "id") { id: ID!  title: String! }`,
} as const;

export type LiveLibrarySubgraph = keyof typeof SCHEMAS;
export const LIVE_LIBRARY_SUBGRAPHS = Object.keys(SCHEMAS) as LiveLibrarySubgraph[];
const SUBGRAPHS = LIVE_LIBRARY_SUBGRAPHS;
/** The subgraphs' SDL, for a test that composes the supergraph without serving it. */
export const LIVE_LIBRARY_SCHEMAS: Record<LiveLibrarySubgraph, string> = SCHEMAS;

export const READERS = [
  { id: 'r1', name: 'Ada', email: 'ada@library.test' },
  { id: 'r2', name: 'Brian', email: 'brian@library.test' },
];
export const BOOKS = [
  { id: 'b1', title: 'The Federated Planner' },
  { id: 'b2', title: 'Joins Considered Harmful' },
];
export const LOANS = [
  { id: 'l1', readerId: 'r1', bookId: 'b1' },
  { id: 'l2', readerId: 'r2', bookId: 'b2' },
];

/** A loan as circulation answers it: the reader and book as references members and catalogue resolve. */
interface LoanChange {
  id: string;
  status: string;
  reader: { id: string };
  book: { id: string };
}

/** One subscription stream circulation served: the headers it came with, and whether it is still open. */
export interface OpenedStream {
  operation: string;
  headers: Record<string, string | undefined>;
  open: boolean;
}

type Row = Record<string, unknown>;
/** buildSubgraphSchema's resolver map (the package exports no name for it). */
type Resolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;
const byId = <T extends { id: string }>(rows: T[], id: unknown) => rows.find((row) => row.id === id) ?? null;

/**
 * The changes circulation publishes, for one subscription while it is open. An iterator by hand,
 * not an async generator: graphql-sse closes a subscription by calling return() while it waits for
 * the next change, which an async generator would only honour after that change.
 */
function changesOf(events: EventEmitter, stream: OpenedStream | undefined, accepts: (change: LoanChange) => boolean): AsyncIterableIterator<{ change: LoanChange }> {
  const controller = new AbortController();
  const changes = on(events, 'change', { signal: controller.signal }) as AsyncIterableIterator<[LoanChange | 'returned']>;
  const done = { done: true, value: undefined } as const;
  const finish = () => {
    controller.abort();
    if (stream) stream.open = false;
    return done;
  };
  return {
    async next() {
      for (;;) {
        let step: IteratorResult<[LoanChange | 'returned']>;
        try {
          step = await changes.next();
        } catch (error) {
          if (controller.signal.aborted) return finish();
          throw error;
        }
        if (step.done || step.value[0] === 'returned') return finish();
        const [change] = step.value;
        if (accepts(change)) return { done: false, value: { change } };
      }
    },
    return: async () => finish(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function resolversOf(name: LiveLibrarySubgraph, events: EventEmitter, streamOf: (context: unknown) => OpenedStream | undefined): Resolvers {
  switch (name) {
    case 'circulation':
      return {
        Query: { loan: (_: unknown, { id }: Row) => byId(LOANS, id) && { id, status: 'LENT', reader: { id: byId(LOANS, id)!.readerId }, book: { id: byId(LOANS, id)!.bookId } } },
        Subscription: {
          loanChanged: {
            subscribe: (_: unknown, { id }: Row, context: unknown) => {
              if (id === 'forbidden') {
                // Refused at subscribe time: graphql-sse answers the error as one event, and the stream is over.
                const stream = streamOf(context);
                if (stream) stream.open = false;
                throw new GraphQLError('Not your loan', { extensions: { code: 'FORBIDDEN' } });
              }
              return changesOf(events, streamOf(context), (change) => change.id === id);
            },
            resolve: ({ change }: { change: LoanChange }) => change,
          },
          desk: {
            subscribe: (_: unknown, _args: Row, context: unknown) => changesOf(events, streamOf(context), () => true),
            resolve: ({ change }: { change: LoanChange }) => change,
          },
        },
      };
    case 'members':
      return { Reader: { __resolveReference: ({ id }: Row) => byId(READERS, id) } };
    case 'catalogue':
      return { Query: { books: () => BOOKS }, Book: { __resolveReference: ({ id }: Row) => byId(BOOKS, id) } };
  }
}

export interface LiveLibrary {
  urls: Record<LiveLibrarySubgraph, string>;
  /** The supergraph of the three, with their real endpoints as routing URLs. */
  supergraph: string;
  /** Every subscription stream circulation was asked for, in order. */
  streams: OpenedStream[];
  /** Publishes a change of one loan to every subscription that follows it. */
  change(loanId: string, status: string): void;
  /** Ends every subscription (as a loan being returned ends its stream): circulation completes them. */
  completeAll(): void;
  close(): Promise<void>;
}

const HEADERS_RECORDED = ['authorization', 'x-request-id', 'traceparent', 'last-event-id'];

/** Starts the three subgraphs, each on its own free port on loopback. */
export async function startLiveLibrary(): Promise<LiveLibrary> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const streams: OpenedStream[] = [];
  // graphql-sse's context is made per stream: the stream record rides on it to its subscription.
  const streamKey = Symbol('stream');
  const streamOf = (context: unknown) => (context as Record<symbol, OpenedStream | undefined>)[streamKey];
  const served = await serveSubgraphs(SUBGRAPHS, async (name) => {
    const schema = buildSubgraphSchema({ typeDefs: parse(SCHEMAS[name]), resolvers: resolversOf(name, events, streamOf) });
    const apollo = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
    await apollo.start();
    const subscriptions = createHandler({
      schema,
      context: (req, params) => {
        const stream: OpenedStream = {
          operation: params.query,
          headers: Object.fromEntries(HEADERS_RECORDED.map((header) => [header, req.headers.get(header) ?? undefined])),
          open: true,
        };
        streams.push(stream);
        return { [streamKey]: stream };
      },
    });
    const app = express();
    app.use('/graphql', (req, res, next) => {
      if (req.get('accept') !== 'text/event-stream') {
        next();
        return;
      }
      subscriptions(req, res).catch(next);
    });
    app.use('/graphql', express.json(), expressMiddleware(apollo));
    return { apollo, app };
  });
  const { urls } = served;
  // Open streams end (their loans returned) before the servers close, or closing would wait on them.
  const close = async () => {
    events.emit('change', 'returned');
    await served.close();
  };
  return {
    urls,
    supergraph: composeSubgraphs(SUBGRAPHS.map((name): SubgraphSource => ({ name, url: urls[name], sdl: SCHEMAS[name] }))),
    streams,
    change(loanId, status) {
      const loan = byId(LOANS, loanId);
      if (!loan) throw new Error(`no loan ${loanId}`);
      events.emit('change', { id: loan.id, status, reader: { id: loan.readerId }, book: { id: loan.bookId } } satisfies LoanChange);
    },
    completeAll: () => events.emit('change', 'returned'),
    close,
  };
}
