import type { Fetcher } from '@apollo/utils.fetcher';

/**
 * `/ready` of the gateway: the subgraphs that cannot serve, by name (empty when all can). It asks
 * each subgraph's own `/ready`, not `/health`: a subgraph that is up but has lost its database is
 * alive, yet cannot serve.
 */
export function subgraphReadiness(subgraphs: Record<string, string>, fetcher: Fetcher, timeoutMs = 2_000) {
  return async (): Promise<string[]> => {
    const checks = Object.entries(subgraphs).map(async ([name, url]) => {
      try {
        const response = await fetcher(new URL('/ready', url).href, { signal: AbortSignal.timeout(timeoutMs) });
        await response.text(); // read to the end, so the pooled socket is free again
        return response.ok ? null : `${name}: not ready (HTTP ${response.status})`;
      } catch {
        return `${name}: unreachable`;
      }
    });
    return (await Promise.all(checks)).filter((problem): problem is string => problem !== null);
  };
}
