import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { composeSubgraphs, type SubgraphSource } from '../../scripts/supergraph.js';
import { recordingQueries, serveSubgraphs } from './loopback-server.js';

/**
 * A supergraph that is not the shop's and declares who may read what: a library's catalogue,
 * circulation desk, shipping and appraisals, in four in-memory subgraphs. Each of federation's
 * authorization directives sits on a field, on an object type and on one implementation of an
 * interface (composition copies that one onto the interface), beside what the rules must get
 * right: a field with `@requires` whose required field is guarded, a non-null guarded field under
 * a nullable parent, a guarded field in a list, a subgraph reached only for guarded fields
 * (appraisals), mutations (one guarded, one public answering guarded fields), and policies that read the viewer, a header, never answer, or are
 * registered nowhere. Every request each subgraph receives is recorded.
 *
 * The catalogue answers `Cache-Control: public, max-age=60`, so the gateway's response cache
 * (anonymous answers) and entity cache (its `Book`s fetched by key) keep what it sends.
 */
const FEDERATION = (imports: string[]) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [${imports.map((name) => `"${name}"`).join(', ')}])`;

/** One AND group suffices (`a:read` and `b:read`), or the other (`super`) alone. */
export const SCOPES = '[["a:read", "b:read"], ["super"]]';

const SCHEMAS = {
  catalogue: `${FEDERATION(['@key', '@authenticated', '@requiresScopes', '@policy'])}
    type Query {
      books: [Book!]!
      book(id: ID!): Book
      "Interface whose implementation Manuscript is @authenticated."
      holdings: [Holding!]
      "Interface whose implementation Rarity requires scopes."
      exhibits: [Exhibit!]
      "A union: its members keep their own requirements, nothing is copied onto it."
      find: [Find!]!
    }
    type Mutation {
      recommend(title: String!): Boolean!
      stampBook(id: ID!): Int @requiresScopes(scopes: ${SCOPES})
      "Public: what it answers may hold guarded fields."
      reshelve(id: ID!): Book
    }
    interface Holding { id: ID!  title: String!  condition: String }
    type Book implements Holding @key(fields: "id") {
      id: ID!
      title: String!
      isbn: String @authenticated
      acquisitionCents: Int @requiresScopes(scopes: ${SCOPES})
      donor: String @policy(policies: [["librarian"]])
      "Required by shipping's postage."
      weightGrams: Int @authenticated
      "Non-null and guarded: denied, its null reaches the nearest nullable parent."
      shelfCode: String! @authenticated
      "Public on Book, guarded on Manuscript: composition guards Holding.condition, not this."
      condition: String
      conservationNotes: String @policy(policies: [["slow"]])
      provenance: String @policy(policies: [["unregistered"]])
      restorationLog: String @policy(policies: [["slow"], ["librarian"]])
      readingRoomHours: String @policy(policies: [["cardholder"]])
    }
    type Manuscript implements Holding @authenticated { id: ID!  title: String!  folios: Int!  condition: String @requiresScopes(scopes: ${SCOPES}) }
    union Find = Book | Manuscript
    interface Exhibit { id: ID!  label: String! }
    type Poster implements Exhibit { id: ID!  label: String! }
    type Rarity implements Exhibit @requiresScopes(scopes: ${SCOPES}) { id: ID!  label: String! }`,
  circulation: `${FEDERATION(['@key', '@authenticated', '@policy'])}
    type Query {
      loans: [Loan!]
      donations: [Donation!]
      "Interface whose implementation PrivateViewing is for librarians only."
      events: [Event!]
    }
    type Loan @authenticated { id: ID!  dueInDays: Int!  book: Book! }
    type Donation @policy(policies: [["librarian"]]) { id: ID!  amountCents: Int! }
    type Book @key(fields: "id", resolvable: false) { id: ID! }
    interface Event { id: ID!  name: String! }
    type Talk implements Event { id: ID!  name: String! }
    type PrivateViewing implements Event @policy(policies: [["librarian"]]) { id: ID!  name: String! }`,
  shipping: `${FEDERATION(['@key', '@external', '@requires', '@authenticated'])}
    type Book @key(fields: "id") {
      id: ID!
      weightGrams: Int @external
      "Guarded as the field it requires is: composition insists on it."
      postage: Int @requires(fields: "weightGrams") @authenticated
    }`,
  appraisals: `${FEDERATION(['@key', '@requiresScopes'])}
    type Book @key(fields: "id") { id: ID!  appraisal: Appraisal }
    type Appraisal @requiresScopes(scopes: ${SCOPES}) { cents: Int!  by: String! }`,
} as const;

export type GuardedSubgraph = keyof typeof SCHEMAS;
export const GUARDED_SUBGRAPHS = Object.keys(SCHEMAS) as GuardedSubgraph[];

export const BOOKS = [
  { id: 'b1', title: 'The Federated Planner', isbn: '978-1', acquisitionCents: 4200, donor: 'Ada', weightGrams: 540, shelfCode: 'A-1', condition: 'good', appraisal: { cents: 9000, by: 'Carla' } },
  { id: 'b2', title: 'Joins Considered Harmful', isbn: '978-2', acquisitionCents: 1500, donor: 'Brian', weightGrams: 210, shelfCode: 'B-7', condition: 'worn', appraisal: { cents: 2500, by: 'Carla' } },
];
const bookValues = (book: (typeof BOOKS)[number]) => ({
  __typename: 'Book',
  ...book,
  conservationNotes: `notes on ${book.id}`,
  provenance: `provenance of ${book.id}`,
  restorationLog: `restored ${book.id}`,
  readingRoomHours: '9-17',
});
export const MANUSCRIPT = { id: 'm1', title: 'Letters', folios: 40, condition: 'fragile' };
export const EXHIBITS = [
  { __typename: 'Poster', id: 'p1', label: 'Opening night' },
  { __typename: 'Rarity', id: 'r1', label: 'First edition' },
];
export const LOANS = [
  { id: 'l1', dueInDays: 7, bookId: 'b1' },
  { id: 'l2', dueInDays: -2, bookId: 'b2' },
];
export const DONATIONS = [{ id: 'd1', amountCents: 5000 }];
export const EVENTS = [
  { __typename: 'Talk', id: 't1', name: 'On joins' },
  { __typename: 'PrivateViewing', id: 'v1', name: "Patrons' evening" },
];
/** shipping's rule: a base fee and 25 per started 100 g. */
export const postageOf = (weightGrams: number) => 100 + Math.ceil(weightGrams / 100) * 25;

type Row = Record<string, unknown>;
/** buildSubgraphSchema's resolver map (the package exports no name for it). */
type Resolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;
const byId = <T extends { id: string }>(rows: T[], id: unknown) => rows.find((row) => row.id === id) ?? null;

function resolversOf(name: GuardedSubgraph): Resolvers {
  const stamps = new Map<string, number>();
  switch (name) {
    case 'catalogue':
      return {
        Query: {
          books: () => BOOKS.map(bookValues),
          book: (_: unknown, { id }: Row) => {
            const book = byId(BOOKS, id);
            return book && bookValues(book);
          },
          holdings: () => [...BOOKS.map(bookValues), { __typename: 'Manuscript', ...MANUSCRIPT }],
          exhibits: () => EXHIBITS,
          find: () => [bookValues(BOOKS[0]!), { __typename: 'Manuscript', ...MANUSCRIPT }],
        },
        Mutation: {
          recommend: () => true,
          reshelve: (_: unknown, { id }: Row) => {
            const book = byId(BOOKS, id);
            return book && bookValues(book);
          },
          stampBook: (_: unknown, { id }: Row) => {
            const count = (stamps.get(String(id)) ?? 0) + 1;
            stamps.set(String(id), count);
            return count;
          },
        },
        Book: {
          __resolveReference: ({ id }: Row) => {
            const book = byId(BOOKS, id);
            return book && bookValues(book);
          },
        },
        Holding: { __resolveType: (row: Row) => row.__typename },
        Find: { __resolveType: (row: Row) => row.__typename },
        Exhibit: { __resolveType: (row: Row) => row.__typename },
      };
    case 'circulation':
      return {
        Query: {
          loans: () => LOANS.map((loan) => ({ ...loan, book: { id: loan.bookId } })),
          donations: () => DONATIONS,
          events: () => EVENTS,
        },
        Event: { __resolveType: (row: Row) => row.__typename },
      };
    case 'shipping':
      return {
        Book: {
          __resolveReference: (reference: Row) => reference,
          postage: ({ weightGrams }: Row) => postageOf(Number(weightGrams)),
        },
      };
    case 'appraisals':
      return {
        Book: {
          __resolveReference: ({ id }: Row) => ({ id, appraisal: byId(BOOKS, id)?.appraisal ?? null }),
        },
      };
  }
}

/** One request a subgraph received: its operation text (what the gateway planned for it). */
export interface ReceivedRequest {
  query: string;
}

export interface GuardedLibrary {
  /** Each subgraph's GraphQL endpoint. */
  urls: Record<GuardedSubgraph, string>;
  /** The supergraph of the four, with their real endpoints as routing URLs. */
  supergraph: string;
  /** Every request each subgraph received, in order; `forget` empties them. */
  requests: Record<GuardedSubgraph, ReceivedRequest[]>;
  /** How many requests each subgraph received since the last `forget`. */
  counts(): Record<GuardedSubgraph, number>;
  forget(): void;
  close(): Promise<void>;
}

/** The subgraphs' SDL, for a test that composes a variant (composition's own rules). */
export const GUARDED_SCHEMAS: Record<GuardedSubgraph, string> = SCHEMAS;

/** Public, for a minute: what the catalogue says of every answer. */
const CACHEABLE: ApolloServerPlugin[] = [ApolloServerPluginCacheControl({ defaultMaxAge: 60 })];

/** Starts the four subgraphs, each on its own free port on loopback. */
export async function startGuardedLibrary(): Promise<GuardedLibrary> {
  const requests = Object.fromEntries(GUARDED_SUBGRAPHS.map((name) => [name, []])) as unknown as Record<GuardedSubgraph, ReceivedRequest[]>;
  const { urls, close } = await serveSubgraphs(GUARDED_SUBGRAPHS, async (name) => {
    const apollo = new ApolloServer({
      schema: buildSubgraphSchema({ typeDefs: parse(SCHEMAS[name]), resolvers: resolversOf(name) }),
      plugins: [ApolloServerPluginInlineTraceDisabled(), ...(name === 'catalogue' ? CACHEABLE : [])],
    });
    await apollo.start();
    const app = express();
    app.use('/graphql', express.json(), recordingQueries((query) => requests[name].push({ query })), expressMiddleware(apollo));
    return { apollo, app };
  });
  return {
    urls,
    supergraph: composeSubgraphs(GUARDED_SUBGRAPHS.map((name): SubgraphSource => ({ name, url: urls[name], sdl: SCHEMAS[name] }))),
    requests,
    counts: () => Object.fromEntries(GUARDED_SUBGRAPHS.map((name) => [name, requests[name].length])) as Record<GuardedSubgraph, number>,
    forget: () => {
      for (const name of GUARDED_SUBGRAPHS) requests[name].length = 0;
    },
    close,
  };
}
