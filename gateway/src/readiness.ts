import type { SubgraphClient } from './subgraph-client.js';

/**
 * `/ready` of the gateway: the subgraphs that cannot serve, by name (empty when all can). It asks
 * each subgraph's own `/ready`, not `/health`: a subgraph that is up but has lost its database is
 * alive, yet cannot serve.
 */
export function subgraphReadiness(subgraphs: Record<string, string>, client: SubgraphClient, timeoutMs = 2_000) {
  return async (): Promise<string[]> => {
    const checks = Object.entries(subgraphs).map(async ([name, url]) => {
      try {
        const { status } = await client.get(new URL('/ready', url).href, timeoutMs);
        return status >= 200 && status < 300 ? null : `${name}: not ready (HTTP ${status})`;
      } catch {
        return `${name}: unreachable`;
      }
    });
    return (await Promise.all(checks)).filter((problem): problem is string => problem !== null);
  };
}
