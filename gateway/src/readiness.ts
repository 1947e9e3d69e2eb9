import type { ServedSupergraph } from './reloadable-gateway.js';
import type { SubgraphClient } from './subgraph-client.js';

/** `ready` beside the endpoint's last path segment (a trailing slash is no segment of its own). */
export function readinessUrlOf(endpoint: string): string {
  const url = new URL(endpoint);
  url.pathname = url.pathname.replace(/\/+$/, '');
  return new URL('ready', url).href;
}

/**
 * `/ready` of the gateway: the subgraphs that cannot serve, by name (empty when all can), of the
 * supergraph served now. It asks each subgraph's readiness URL, `ready` beside its GraphQL
 * endpoint (`http://products:4002/graphql` → `http://products:4002/ready`), not whether it is
 * alive: a subgraph that is up but has lost its database cannot serve. A subgraph is not ready
 * when it gives no answer or answers 5xx; any other answer (a subgraph with no readiness route
 * answers 404 or 400) shows it is reachable, which is all the gateway can know of it.
 */
export function subgraphReadiness(subgraphs: () => ReadonlyMap<string, string>, client: SubgraphClient, timeoutMs = 2_000) {
  return async (): Promise<string[]> => {
    const checks = [...subgraphs()].map(async ([name, url]) => {
      try {
        const { status } = await client.get(readinessUrlOf(url), timeoutMs);
        return status < 500 ? null : `${name}: not ready (HTTP ${status})`;
      } catch {
        return `${name}: unreachable`;
      }
    });
    return (await Promise.all(checks)).filter((problem): problem is string => problem !== null);
  };
}

/** What `/ready` says of the supergraph served: which one (its hash) and since when, not where it is read from (/ready is public). */
export function servedSupergraphDetails(served: Pick<ServedSupergraph, 'hash' | 'loadedAt'> | undefined): Record<string, unknown> {
  return served ? { supergraph: { hash: served.hash, loadedAt: served.loadedAt.toISOString() } } : {};
}
