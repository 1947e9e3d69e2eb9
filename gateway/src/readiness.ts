import type { Fetcher } from '@apollo/utils.fetcher';

/** `/ready` of the gateway: the subgraphs it cannot reach, by name (empty when all answer). */
export function subgraphReadiness(subgraphs: Record<string, string>, fetcher: Fetcher, timeoutMs = 2_000) {
  return async (): Promise<string[]> => {
    const checks = Object.entries(subgraphs).map(async ([name, url]) => {
      try {
        const response = await fetcher(new URL('/health', url).href, { signal: AbortSignal.timeout(timeoutMs) });
        return response.ok ? null : `${name}: unhealthy (HTTP ${response.status})`;
      } catch {
        return `${name}: unreachable`;
      }
    });
    return (await Promise.all(checks)).filter((problem): problem is string => problem !== null);
  };
}
