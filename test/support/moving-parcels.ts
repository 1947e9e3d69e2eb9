import express from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { composeSubgraphs } from '../../scripts/supergraph.js';
import { recordingQueries, serveSubgraphs } from './loopback-server.js';

/**
 * A supergraph that is not the shop's, in the middle of moving fields: a parcel tracker whose
 * `legacy` subgraph answered everything about a parcel, and whose `modern` one takes over two of
 * its fields with federation's progressive override (2.7+). `status` moves for a share of
 * shoppers (`percent(25)`), `eta` for everyone once configuration turns its label on. Each
 * subgraph answers with its own name, so an answer says which one resolved the field.
 */
const FEDERATION = (imports: string[]) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [${imports.map((name) => `"${name}"`).join(', ')}])`;

/** The labels of the two moves: what a test turns on. */
export const STATUS_LABEL = 'percent(25)';
export const ETA_LABEL = 'eta-from-modern';

const SCHEMAS = {
  legacy: `${FEDERATION(['@key'])}
    type Query { parcels: [Parcel!]!  parcel(id: ID!): Parcel }
    type Parcel @key(fields: "id") { id: ID!  status: String!  eta: String! }`,
  modern: `${FEDERATION(['@key', '@override'])}
    type Parcel @key(fields: "id") {
      id: ID!
      status: String! @override(from: "legacy", label: "${STATUS_LABEL}")
      eta: String! @override(from: "legacy", label: "${ETA_LABEL}")
    }`,
} as const;

export type ParcelSubgraph = keyof typeof SCHEMAS;
export const PARCEL_SUBGRAPHS = Object.keys(SCHEMAS) as ParcelSubgraph[];
export const PARCEL_IDS = ['p1', 'p2'];

/** What each subgraph answers for a parcel: its fields name the subgraph that resolved them. */
const parcelFrom = (subgraph: ParcelSubgraph, id: unknown) => ({ __typename: 'Parcel', id, status: `${subgraph}:status`, eta: `${subgraph}:eta` });

/** buildSubgraphSchema's resolver map (the package exports no name for it). */
type Resolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers']>;

/** One subgraph's schema, its resolvers answering in memory. */
export function parcelSubgraphSchema(name: ParcelSubgraph): GraphQLSchema {
  const resolvers: Resolvers =
    name === 'legacy'
      ? {
          Query: { parcels: () => PARCEL_IDS.map((id) => parcelFrom('legacy', id)), parcel: (_: unknown, { id }: { id: string }) => (PARCEL_IDS.includes(id) ? parcelFrom('legacy', id) : null) },
          Parcel: { __resolveReference: ({ id }: { id: string }) => parcelFrom('legacy', id) },
        }
      : { Parcel: { __resolveReference: ({ id }: { id: string }) => parcelFrom('modern', id) } };
  return buildSubgraphSchema({ typeDefs: parse(SCHEMAS[name]), resolvers });
}

/** The supergraph of the two, each routed to `urls[name]` (any URL when they are served in process). */
export function composeMovingParcels(urls: Record<ParcelSubgraph, string>): string {
  return composeSubgraphs(PARCEL_SUBGRAPHS.map((name) => ({ name, url: urls[name], sdl: SCHEMAS[name] })));
}

export interface MovingParcels {
  urls: Record<ParcelSubgraph, string>;
  supergraph: string;
  /** The operations each subgraph received since the last `forget`. */
  received: Record<ParcelSubgraph, string[]>;
  forget(): void;
  close(): Promise<void>;
}

/** Starts the two subgraphs over HTTP, each on its own free port on loopback. */
export async function startMovingParcels(): Promise<MovingParcels> {
  const received: Record<ParcelSubgraph, string[]> = { legacy: [], modern: [] };
  const { urls, close } = await serveSubgraphs(PARCEL_SUBGRAPHS, async (name) => {
    const apollo = new ApolloServer({ schema: parcelSubgraphSchema(name), plugins: [ApolloServerPluginInlineTraceDisabled()] });
    await apollo.start();
    const app = express();
    app.use('/graphql', express.json(), recordingQueries((query) => received[name].push(query)), expressMiddleware(apollo));
    return { apollo, app };
  });
  return {
    urls,
    supergraph: composeMovingParcels(urls),
    received,
    forget: () => {
      for (const name of PARCEL_SUBGRAPHS) received[name].length = 0;
    },
    close,
  };
}
