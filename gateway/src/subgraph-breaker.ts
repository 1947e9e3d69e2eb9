import CircuitBreaker from 'opossum';
import type { Logger } from '@shop/service-kit';

export interface BreakerOptions {
  /** Share (%) of failed calls in the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Calls in the window before the share counts at all, so one early failure opens nothing. */
  volumeThreshold: number;
  /** How long an open breaker fails fast before it lets one call through (half-open). */
  resetTimeoutMs: number;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

/**
 * A call the subgraph could not serve: refused, reset, timed out, answered 5xx or not GraphQL at
 * all. Only these count against the breaker; a subgraph's coded GraphQL answer (FORBIDDEN,
 * BAD_USER_INPUT, …) is proof that it works.
 */
export class SubgraphUnavailable extends Error {
  /** False for an answer that proves the host is up though unusable (an uncoded 4xx). */
  readonly countsAgainstBreaker: boolean;

  constructor(subgraph: string, reason: string, options: { cause?: unknown; countsAgainstBreaker?: boolean } = {}) {
    super(`${subgraph} ${reason}`, { cause: options.cause });
    this.name = 'SubgraphUnavailable';
    this.countsAgainstBreaker = options.countsAgainstBreaker ?? true;
  }
}

/** opossum's rejection of a call while the breaker is open (or half-open and busy). */
export function isBreakerRejection(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'EOPENBREAKER';
}

type Call = () => Promise<unknown>;

/**
 * One circuit breaker per subgraph, as orders keeps one to products: after repeated failures it
 * fails fast for `resetTimeoutMs`, then half-opens and closes on the first call that works.
 */
export function createSubgraphBreaker(subgraph: string, options: BreakerOptions, logger: Logger) {
  const breaker = new CircuitBreaker((call: Call) => call(), {
    timeout: false, // the fetcher has its own deadline, which also aborts the request
    resetTimeout: options.resetTimeoutMs,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    errorFilter: (error: unknown) => !(error instanceof SubgraphUnavailable && error.countsAgainstBreaker),
  });
  breaker.on('open', () => logger.warn({ subgraph }, 'subgraph circuit breaker opened: calls fail fast until it half-opens'));
  breaker.on('halfOpen', () => logger.info({ subgraph }, 'subgraph circuit breaker half-open: trying one call'));
  breaker.on('close', () => logger.info({ subgraph }, 'subgraph circuit breaker closed'));

  return {
    /** Runs `call` through the breaker; rejects at once while it is open. */
    run: <T>(call: () => Promise<T>): Promise<T> => breaker.fire(call) as Promise<T>,
    state: (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed'),
    close: () => breaker.shutdown(),
  };
}

export type SubgraphBreaker = ReturnType<typeof createSubgraphBreaker>;
