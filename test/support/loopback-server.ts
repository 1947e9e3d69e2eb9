import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { RequestHandler } from 'express';

/** Serves `app` on a free loopback port: the server (the test closes it) and its origin, `http://127.0.0.1:<port>`. */
export async function listenOnLoopback(app: RequestListener): Promise<{ server: Server; origin: string }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Middleware, after express.json(), that hands `record` the query text of each GraphQL request a subgraph gets ('' for none). */
export function recordingQueries(record: (query: string) => void): RequestHandler {
  return (req, _res, next) => {
    const body = req.body as { query?: unknown } | undefined;
    record(typeof body?.query === 'string' ? body.query : '');
    next();
  };
}

/**
 * Subgraphs served in this process, each an Apollo Server on its own loopback port at /graphql:
 * `serve` starts one (its Apollo Server started, its routes on `app`); `close` stops them all, as
 * does a failure to start one.
 */
export async function serveSubgraphs<Name extends string>(
  names: readonly Name[],
  serve: (name: Name) => Promise<{ apollo: ApolloServer; app: RequestListener }>,
): Promise<{ urls: Record<Name, string>; close: () => Promise<void> }> {
  const running: { server: Server; apollo: ApolloServer }[] = [];
  const urls = {} as Record<Name, string>;
  const close = async () => {
    for (const { server, apollo } of running.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await apollo.stop();
    }
  };
  try {
    for (const name of names) {
      const { apollo, app } = await serve(name);
      const { server, origin } = await listenOnLoopback(app);
      running.push({ server, apollo });
      urls[name] = `${origin}/graphql`;
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { urls, close };
}
