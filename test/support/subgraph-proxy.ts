import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the proxy treats what the gateway sends a subgraph:
 * - `pass`: forwards everything;
 * - `trickle`: answers GraphQL calls with headers and then a body that never ends, a few bytes at
 *   a time, each pause shorter than any read timeout (only a deadline on the whole call ends it);
 * - `drop`: cuts the connection of every GraphQL call without an answer;
 * - `not-ready`: forwards everything but answers `/ready` with 503, as a subgraph that has lost
 *   its database would (its `/health` still says it is alive);
 * - `hold`: keeps GraphQL calls waiting, unforwarded, until `release` (a subgraph as slow as a
 *   test needs: the gateway's request stays in flight meanwhile).
 *
 * Whatever the mode, `setDelay` makes every GraphQL call wait so long before it is forwarded (a
 * subgraph that is slow by a known amount: the bench's @defer scenario).
 */
export type ProxyMode = 'pass' | 'trickle' | 'drop' | 'not-ready' | 'hold';

/** Stands between the gateway and one subgraph, to make that subgraph slow, broken or not ready on demand. */
export async function startSubgraphProxy(subgraphUrl: string) {
  let mode: ProxyMode = 'pass';
  let delayMs = 0;
  /** GraphQL calls that reached the subgraph. */
  let forwarded = 0;
  const trickling = new Set<ServerResponse>();
  /** GraphQL calls that arrived in `hold` mode. */
  let held = 0;
  const holding = new Set<() => void>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isGraphQL = req.method === 'POST' && req.url?.startsWith('/graphql');
    if (mode === 'not-ready' && req.url === '/ready') {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"unavailable","problems":["database unreachable"]}');
      return;
    }
    if (isGraphQL && mode === 'drop') {
      res.destroy();
      return;
    }
    if (isGraphQL && mode === 'trickle') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      trickling.add(res);
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => {
        clearInterval(timer);
        trickling.delete(res);
      });
      return;
    }
    if (isGraphQL && mode === 'hold') {
      held++;
      await new Promise<void>((resolve) => {
        holding.add(resolve);
        // The caller gave up (its deadline, or its pool was destroyed): nothing left to answer.
        res.once('close', resolve);
      });
      if (res.destroyed) return;
    }
    if (isGraphQL && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (isGraphQL) forwarded++;
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length'),
    );
    try {
      const answer = await fetch(`${subgraphUrl}${req.url}`, {
        method: req.method,
        headers,
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
      });
      const cacheControl = answer.headers.get('cache-control');
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
        ...(cacheControl ? { 'cache-control': cacheControl } : {}),
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.destroy();
    }
  };
  // A request that fails before it is forwarded (the client gone) is cut off rather than left as an unhandled rejection.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setMode(next: ProxyMode) {
      mode = next;
    },
    /** Makes every GraphQL call wait `ms` before it is forwarded; 0 for none. */
    setDelay(ms: number) {
      delayMs = ms;
    },
    /** How many GraphQL calls reached the subgraph so far. */
    forwarded: () => forwarded,
    /** How many GraphQL calls were held so far (released or not). */
    held: () => held,
    /** Forwards the calls held so far. */
    release() {
      for (const resolve of holding) resolve();
      holding.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of trickling) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
