import { Agent } from 'undici';

export interface SubgraphClientOptions {
  /** Sockets kept open per subgraph origin. */
  connections: number;
  /** Longest a call may take, headers and body together; then it is aborted. */
  timeoutMs: number;
  /**
   * Identical reads in flight at the same time (same subgraph, same token, same body) share one
   * call: under load many clients ask the same thing at once, and each subgraph answers it once.
   */
  deduplicateReads: boolean;
}

/** A subgraph's HTTP answer, its body still text: each caller parses its own copy. */
export interface SubgraphReply {
  status: number;
  cacheControl: string | undefined;
  body: string;
}

/** A GraphQL call to a subgraph: the JSON body and the headers that go with it. */
export interface SubgraphCall {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** A query (no mutation), so identical calls may share one answer. */
  read: boolean;
  /** What else, beside the URL and body, makes two calls' answers differ (the client's token). */
  sharedBy: string;
}

/**
 * The gateway's HTTP client to its subgraphs: an undici keep-alive pool driven through its
 * dispatcher API (no WHATWG Request/Headers/stream objects per call: the gateway makes several
 * calls per client request), with a deadline on each whole call.
 */
export function createSubgraphClient({ connections, timeoutMs, deduplicateReads }: SubgraphClientOptions) {
  const agent = new Agent({
    connections,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 5_000),
  });
  // The agent's timeouts bound each wait; this deadline bounds the whole call, so a subgraph that
  // trickles its body cannot hold a client's request past it either.
  const send = async (url: string, request: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<SubgraphReply> => {
    const { origin, pathname, search } = parsedUrl(url);
    const { statusCode, headers: replyHeaders, body: replyBody } = await agent.request({
      origin,
      path: pathname + search,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const cacheControl = replyHeaders['cache-control'];
    return { status: statusCode, cacheControl: Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl, body: await replyBody.text() };
  };
  // A handful of subgraph URLs, each parsed once rather than on every call.
  const urls = new Map<string, URL>();
  const parsedUrl = (url: string) => {
    let parsed = urls.get(url);
    if (!parsed) urls.set(url, (parsed = new URL(url)));
    return parsed;
  };
  const inFlight = new Map<string, Promise<SubgraphReply>>();
  return {
    call(call: SubgraphCall): Promise<SubgraphReply> {
      const post = () => send(call.url, { method: 'POST', headers: call.headers, body: call.body, timeoutMs });
      if (!deduplicateReads || !call.read) return post();
      const key = `${call.url}\n${call.sharedBy}\n${call.body}`;
      let reply = inFlight.get(key);
      if (!reply) {
        reply = post().finally(() => inFlight.delete(key));
        inFlight.set(key, reply);
      }
      return reply;
    },
    /** A GET with its own (shorter) deadline, for the subgraphs' /ready. */
    get: (url: string, getTimeoutMs: number) => send(url, { method: 'GET', timeoutMs: getTimeoutMs }),
    // Closed only once the gateway has drained: a call still open then belongs to a request already
    // cut off at the shutdown timeout, so it is aborted (agent.close would wait up to timeoutMs for it).
    close: () => agent.destroy(),
  };
}

export type SubgraphClient = ReturnType<typeof createSubgraphClient>;
