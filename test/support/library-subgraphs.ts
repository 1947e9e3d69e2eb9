import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { composeSubgraphs, type SubgraphSource } from '../../scripts/supergraph.js';
import { listenOnLoopback } from './loopback-server.js';

/**
 * A supergraph that is not the shop's: a lending library, in four subgraphs, three of them named
 * like the shop's (`users`, `products`, `orders`) but serving other types at other URLs. Every
 * subgraph sits behind a path of its own (one with a query string the subgraph insists on), and
 * between them they use what federation's planner must get right: entity interfaces with an
 * `@interfaceObject`, a union whose members gain fields elsewhere, `@requires`, `@provides`, a
 * non-resolvable entity stub, nullable fields that fail, and a mutation. In-memory data: these
 * subgraphs exist to check the gateway's answers against stock @apollo/gateway's.
 */
const FEDERATION = (imports: string[]) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [${imports.map((name) => `"${name}"`).join(', ')}])`;

const SCHEMAS = {
  users: `${FEDERATION(['@key', '@shareable'])}
    type Query { readers: [Reader!]!  reader(id: ID!): Reader }
    "A library member."
    type Reader @key(fields: "id") { id: ID!  name: String! @shareable  email: String! }`,
  products: `${FEDERATION(['@key'])}
    type Query { items: [Item!]!  item(id: ID!): Item  search(term: String!): [SearchResult!]! }
    "Anything that can be lent."
    interface Item @key(fields: "id") { id: ID!  title: String! }
    type Book implements Item @key(fields: "id") { id: ID!  title: String!  pages: Int!  weightGrams: Int! }
    type Film implements Item @key(fields: "id") { id: ID!  title: String!  minutes: Int! }
    union SearchResult = Book | Film`,
  orders: `${FEDERATION(['@key', '@external', '@provides', '@interfaceObject'])}
    type Query { loans: [Loan!]!  loan(id: ID!): Loan }
    type Mutation { setNote(loanId: ID!, note: String!): Loan }
    "One item lent to one reader."
    type Loan @key(fields: "id") { id: ID!  reader: Reader! @provides(fields: "name")  item: Item!  dueInDays: Int!  note: String  overdueFine: Int }
    type Reader @key(fields: "id") { id: ID!  name: String! @external  loans: [Loan!]! }
    type Item @key(fields: "id") @interfaceObject { id: ID!  timesBorrowed: Int! }`,
  reviews: `${FEDERATION(['@key', '@external', '@requires'])}
    type Query { topReview: Review }
    type Review { id: ID!  rating: Int!  body: String!  author: Reader! }
    type Reader @key(fields: "id", resolvable: false) { id: ID! }
    type Book @key(fields: "id") { id: ID!  weightGrams: Int! @external  postage: Int @requires(fields: "weightGrams")  reviews(delayMs: Int): [Review!] }
    type Film @key(fields: "id") { id: ID!  reviews(delayMs: Int): [Review!] }`,
} as const;

export type LibrarySubgraph = keyof typeof SCHEMAS;

/** Where each subgraph is served: a path of its own, never the shop's `/graphql`. */
const ENDPOINTS: Record<LibrarySubgraph, { path: string; query?: string }> = {
  users: { path: '/identity/graphql' },
  products: { path: '/catalogue/v1/graphql', query: 'tenant=library' },
  orders: { path: '/lending/graphql' },
  reviews: { path: '/reviews/v2/graphql' },
};

const READERS = [
  { id: 'r1', name: 'Ada', email: 'ada@library.test' },
  { id: 'r2', name: 'Brian', email: 'brian@library.test' },
];
const ITEMS = [
  { __typename: 'Book', id: 'b1', title: 'The Federated Planner', pages: 320, weightGrams: 540 },
  { __typename: 'Book', id: 'b2', title: 'Joins Considered Harmful', pages: 120, weightGrams: 210 },
  { __typename: 'Film', id: 'f1', title: 'The Long Query', minutes: 131 },
];
const REVIEWS = [
  { id: 'v1', itemId: 'b1', rating: 5, body: 'Plans everything.', authorId: 'r2' },
  { id: 'v2', itemId: 'f1', rating: 3, body: 'Too long.', authorId: 'r1' },
  { id: 'v3', itemId: 'b1', rating: 4, body: 'Dense.', authorId: 'r1' },
];

type Row = Record<string, unknown>;
/** buildSubgraphSchema's resolver map (the package exports no name for it). */
type Resolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;
const byId = <T extends { id: string }>(rows: T[], id: unknown) => rows.find((row) => row.id === id) ?? null;
/** Told when a slowed reviews read starts, so a test knows its request is in flight. */
const slowReadWaiters = new Set<() => void>();
const reviewsOf = async (itemId: string, delayMs: number | null | undefined) => {
  if (delayMs) {
    for (const started of slowReadWaiters) started();
    slowReadWaiters.clear();
    await sleep(delayMs);
  }
  return REVIEWS.filter((review) => review.itemId === itemId).map((review) => ({ ...review, author: { id: review.authorId } }));
};

/** Each subgraph's resolvers, over its own copy of the data (so a mutation in one run stays in it). */
function resolversOf(name: LibrarySubgraph): Resolvers {
  const loans = [
    { id: 'l1', readerId: 'r1', itemId: 'b1', dueInDays: 7, note: null as string | null, overdueFine: 0 },
    { id: 'l2', readerId: 'r2', itemId: 'f1', dueInDays: -2, note: null as string | null, overdueFine: null },
    { id: 'l3', readerId: 'r1', itemId: 'b2', dueInDays: 3, note: 'gift', overdueFine: 0 },
  ];
  const loanOut = (loan: (typeof loans)[number]) => ({ ...loan, reader: { id: loan.readerId, name: byId(READERS, loan.readerId)!.name }, item: { id: loan.itemId } });
  switch (name) {
    case 'users':
      return {
        Query: { readers: () => READERS, reader: (_: unknown, { id }: Row) => byId(READERS, id) },
        Reader: { __resolveReference: ({ id }: Row) => byId(READERS, id) },
      };
    case 'products':
      return {
        Query: {
          items: () => ITEMS,
          item: (_: unknown, { id }: Row) => byId(ITEMS, id),
          search: (_: unknown, { term }: Row) => ITEMS.filter((item) => item.title.toLowerCase().includes(String(term).toLowerCase())),
        },
        Item: { __resolveReference: ({ id }: Row) => byId(ITEMS, id), __resolveType: (item: Row) => item.__typename },
        Book: { __resolveReference: ({ id }: Row) => byId(ITEMS, id) },
        Film: { __resolveReference: ({ id }: Row) => byId(ITEMS, id) },
        SearchResult: { __resolveType: (item: Row) => item.__typename },
      };
    case 'orders':
      return {
        Query: { loans: () => loans.map(loanOut), loan: (_: unknown, { id }: Row) => loanOut(byId(loans, id)!) },
        Mutation: {
          setNote: (_: unknown, { loanId, note }: Row) => {
            const loan = byId(loans, loanId);
            if (!loan) return null;
            loan.note = String(note);
            return loanOut(loan);
          },
        },
        Loan: {
          __resolveReference: ({ id }: Row) => loanOut(byId(loans, id)!),
          overdueFine: (loan: Row) => {
            if (loan.overdueFine === null) throw new GraphQLError('The fine of an overdue loan is not worked out yet');
            return loan.overdueFine;
          },
        },
        Reader: { loans: ({ id }: Row) => loans.filter((loan) => loan.readerId === id).map(loanOut) },
        Item: { timesBorrowed: ({ id }: Row) => loans.filter((loan) => loan.itemId === id).length },
      };
    case 'reviews':
      return {
        Query: { topReview: () => ({ ...REVIEWS[0], author: { id: REVIEWS[0]!.authorId } }) },
        Book: {
          postage: ({ weightGrams }: Row) => 100 + Math.ceil(Number(weightGrams) / 100) * 25,
          reviews: ({ id }: Row, { delayMs }: { delayMs?: number | null }) => reviewsOf(String(id), delayMs),
        },
        Film: { reviews: ({ id }: Row, { delayMs }: { delayMs?: number | null }) => reviewsOf(String(id), delayMs) },
      };
  }
}

export interface LibrarySubgraphs {
  /** Each subgraph's endpoint, path and query string included. */
  urls: Record<LibrarySubgraph, string>;
  /** The supergraph of `names`, composed with their real endpoints as routing URLs. */
  supergraph(names?: LibrarySubgraph[]): string;
  /** Resolves when the next reviews read slowed by `delayMs` starts. */
  slowReviewsStarted(): Promise<void>;
  /** Stops one subgraph's server, so it cannot be reached. */
  stop(name: LibrarySubgraph): Promise<void>;
  close(): Promise<void>;
}

/** Starts the four subgraphs, each on its own free port on loopback. */
export async function startLibrarySubgraphs(): Promise<LibrarySubgraphs> {
  const servers = new Map<LibrarySubgraph, { server: Server; apollo: ApolloServer }>();
  const urls = {} as Record<LibrarySubgraph, string>;
  const close = async () => {
    await Promise.all([...servers.keys()].map((name) => stop(name)));
  };
  const stop = async (name: LibrarySubgraph) => {
    const running = servers.get(name);
    if (!running) return;
    servers.delete(name);
    running.server.closeAllConnections();
    await new Promise((resolve) => running.server.close(resolve));
    await running.apollo.stop();
  };
  try {
    for (const name of Object.keys(SCHEMAS) as LibrarySubgraph[]) {
      const apollo = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: parse(SCHEMAS[name]), resolvers: resolversOf(name) }), plugins: [ApolloServerPluginInlineTraceDisabled()] });
      await apollo.start();
      const { path, query } = ENDPOINTS[name];
      const app = express();
      if (query) {
        // The subgraph's own rule, so a gateway that drops the routing URL's query string fails loudly.
        app.use(path, (req, res, next) => (new URLSearchParams(req.url.split('?')[1]).toString() === query ? next() : res.status(404).end()));
      }
      app.use(path, express.json(), expressMiddleware(apollo));
      const { server, origin } = await listenOnLoopback(app);
      servers.set(name, { server, apollo });
      urls[name] = `${origin}${path}${query ? `?${query}` : ''}`;
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    urls,
    supergraph: (names = Object.keys(SCHEMAS) as LibrarySubgraph[]) =>
      composeSubgraphs(names.map((name): SubgraphSource => ({ name, url: urls[name], sdl: SCHEMAS[name] }))),
    slowReviewsStarted: () => new Promise((resolve) => slowReadWaiters.add(resolve)),
    stop,
    close,
  };
}
