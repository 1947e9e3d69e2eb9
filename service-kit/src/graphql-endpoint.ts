import type { Request, RequestHandler, Response } from 'express';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/**
 * Apollo Server answering on an Express route, after express.json has parsed the body. It does
 * what Apollo's Express integration does, without the two costs that integration adds to every
 * request: parsing the URL with the legacy `url.parse` (only its query string is needed) and
 * `res.send`, which hashes each response body for an ETag no GraphQL client revalidates with.
 */
export function graphqlEndpoint<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
  context: (req: Request, res: Response) => Promise<Context>,
): RequestHandler {
  apollo.assertStarted('graphqlEndpoint()');
  return async (req, res, next) => {
    try {
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: searchOf(req), body: req.body },
        context: () => context(req, res),
      });
      for (const [key, value] of answer.headers) res.setHeader(key, value);
      res.statusCode = answer.status ?? 200;
      if (answer.body.kind === 'complete') {
        res.end(answer.body.string);
        return;
      }
      for await (const chunk of answer.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * A request's query string (`?…`, or '') exactly as graphqlEndpoint hands it to Apollo, which
 * parses it once with URLSearchParams: what a guard must read to see what Apollo will run.
 */
export function searchOf(req: Pick<Request, 'url'>): string {
  const queryStart = req.url.indexOf('?');
  return queryStart < 0 ? '' : req.url.slice(queryStart);
}
