import { Agent, fetch } from 'undici';
import type { Fetcher } from '@apollo/utils.fetcher';

export interface SubgraphFetcherOptions {
  /** Sockets kept open per subgraph origin. */
  connections: number;
  /** Longest a call may take, headers and body together; then it is aborted. */
  timeoutMs: number;
}

/**
 * The gateway's HTTP client to its subgraphs: an undici keep-alive pool, because the stock
 * make-fetch-happen fetcher opens far more sockets than it needs and drops them under load
 * ("socket hang up").
 */
export function createSubgraphFetcher({ connections, timeoutMs }: SubgraphFetcherOptions) {
  const agent = new Agent({
    connections,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 5_000),
  });
  // The agent's timeouts bound each wait; this deadline bounds the whole call, so a subgraph that
  // trickles its body cannot hold a client's request past it either.
  const fetchWithDeadline = (url: string, init: Parameters<typeof fetch>[1] = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    return fetch(url, { ...init, dispatcher: agent, signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
  // undici's fetch implements the WHATWG fetch that Fetcher describes; their types differ only in detail.
  const fetcher = fetchWithDeadline as unknown as Fetcher;
  // Closed only once the gateway has drained: a call still open then belongs to a request already
  // cut off at the shutdown timeout, so it is aborted (agent.close would wait up to timeoutMs for it).
  return { fetcher, close: () => agent.destroy() };
}
