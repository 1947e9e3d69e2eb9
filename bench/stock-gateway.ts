/**
 * The "stock" column: @apollo/gateway with its default options on @apollo/server's standalone
 * server, serving the supergraph at SUPERGRAPH_PATH (the bench writes one whose routing URLs are
 * the bench's subgraphs, its authorization links without `for: SECURITY`, which stock refuses and
 * does not enforce: see stack.ts) on PORT. No custom fetcher, no limits, no caches of our own.
 * The one addition: a RemoteGraphQLDataSource that copies the client's Authorization header to
 * the subgraphs (stock forwards no headers, and our subgraphs verify the token themselves), the
 * minimum any real deployment adds.
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';

interface Context {
  authorization?: string | undefined;
}

const supergraphSdl = readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8');
const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<Context>({
      url,
      willSendRequest({ request, context }) {
        if (typeof context.authorization === 'string') request.http?.headers.set('authorization', context.authorization);
      },
    }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: '127.0.0.1' },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`stock gateway listening on ${url}`);
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
