import { Agent, fetch } from 'undici';
import type { Fetcher } from '@apollo/utils.fetcher';

export interface SubgraphFetcherOptions {
  /** Sockets kept open per subgraph origin. */
  connections: number;
  /** Longest wait for a subgraph's response headers and then for its body. */
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
  // undici's fetch implements the WHATWG fetch that Fetcher describes; their types differ only in detail.
  const fetcher = ((url: string, init?: Parameters<typeof fetch>[1]) => fetch(url, { ...init, dispatcher: agent })) as unknown as Fetcher;
  return { fetcher, close: () => agent.close() };
}
