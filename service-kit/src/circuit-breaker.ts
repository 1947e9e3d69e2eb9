import Opossum from 'opossum';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';
import { defineCounter, defineGauge } from './metrics.js';

/** How a breaker trips and recovers; each service reads these from its own `*_BREAKER_*` variables. */
export interface BreakerOptions {
  /** Share (%) of failed calls in the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Calls in the window before the share counts at all, so one early failure opens nothing. */
  volumeThreshold: number;
  /** How long an open breaker fails fast before it lets one call through (half-open). */
  resetTimeoutMs: number;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface CircuitBreakerOptions extends BreakerOptions {
  /** The dependency behind the breaker as log lines name it ("products", "subgraph users"). */
  name: string;
  /** Fields every log line of this breaker carries, so one service's breakers can be told apart. */
  context?: Record<string, unknown>;
  logger: Logger;
  /** Whether a rejected call counts against the breaker; by default `countsAgainstBreaker`. */
  isFailure?: (error: unknown) => boolean;
}

/**
 * A call the dependency could not serve: refused, reset, timed out, answered 5xx or not at all
 * in its protocol. Callers throw it inside `run` so the breaker sees it, and turn it into the
 * public SERVICE_UNAVAILABLE outside.
 */
export class DependencyUnavailable extends Error {
  /** False for an answer that proves the host is up though unusable (say, an uncoded 4xx from a proxy). */
  readonly countsAgainstBreaker: boolean;

  constructor(dependency: string, reason: string, options: { cause?: unknown; countsAgainstBreaker?: boolean } = {}) {
    super(`${dependency} ${reason}`, { cause: options.cause });
    this.name = 'DependencyUnavailable';
    this.countsAgainstBreaker = options.countsAgainstBreaker ?? true;
  }
}

/**
 * The default split between failures and client faults: an AppError is the dependency's coded
 * verdict on the request (INSUFFICIENT_STOCK, FORBIDDEN, …), which proves it works, so it does
 * not count; nor does a DependencyUnavailable that says the host is up. Anything else does.
 */
export function countsAgainstBreaker(error: unknown): boolean {
  if (error instanceof AppError) return false;
  if (error instanceof DependencyUnavailable) return error.countsAgainstBreaker;
  return true;
}

/** The breaker's refusal of a call without trying it: open, half-open with its trial call in flight, or closed down. */
export function isBreakerRejection(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return code === 'EOPENBREAKER' || code === 'ESHUTDOWN';
}

export interface CircuitBreaker {
  /** Runs `call` through the breaker; rejects at once (see isBreakerRejection) while it is open. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** For readiness, logs and tests. */
  state(): BreakerState;
  /** Stops its timers; later calls are rejected. */
  close(): void;
}

type Call = () => Promise<unknown>;

/**
 * One circuit breaker to one dependency: after repeated failures it fails fast for
 * `resetTimeoutMs`, then half-opens and closes on the first call that works (or opens again on
 * the first that fails). Each change of state is logged once, not each call it refuses.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const isFailure = options.isFailure ?? countsAgainstBreaker;
  const breaker = new Opossum((call: Call) => call(), {
    timeout: false, // every caller has its own deadline, which also aborts the request; opossum's would only stop waiting
    resetTimeout: options.resetTimeoutMs,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    // opossum asks the opposite question: which errors to ignore.
    errorFilter: (error: unknown) => !isFailure(error),
  });
  const { name, logger } = options;
  const fields = { breaker: name, ...options.context };
  breaker.on('open', () => logger.warn({ ...fields, resetTimeoutMs: options.resetTimeoutMs }, `${name} circuit breaker opened: calls fail fast until it half-opens`));
  breaker.on('halfOpen', () => logger.info(fields, `${name} circuit breaker half-open: trying one call`));
  breaker.on('close', () => logger.info(fields, `${name} circuit breaker closed`));
  reportBreakerState(breaker, name);

  return {
    run: <T>(call: () => Promise<T>): Promise<T> => breaker.fire(call) as Promise<T>,
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed'),
    close: () => breaker.shutdown(),
  };
}

/** circuit_breaker_state's values; a number so that alerts can compare (`> 0`: not closed). */
export const BREAKER_STATE_VALUES: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

/**
 * Each breaker's state as a gauge by its name, set on every change (nothing per call), and how
 * often it opened: an open that ends between two scrapes still shows in the count.
 */
function reportBreakerState(breaker: Opossum, name: string): void {
  const state = defineGauge({
    name: 'circuit_breaker_state',
    help: 'State of each circuit breaker: 0 closed, 1 half-open (trying one call), 2 open (failing fast)',
    labelNames: ['breaker'],
  });
  const opened = defineCounter({ name: 'circuit_breaker_opens_total', help: 'Times each circuit breaker opened', labelNames: ['breaker'] });
  const labels = { breaker: name };
  state.set(labels, BREAKER_STATE_VALUES.closed);
  opened.inc(labels, 0);
  breaker.on('open', () => {
    state.set(labels, BREAKER_STATE_VALUES.open);
    opened.inc(labels);
  });
  breaker.on('halfOpen', () => state.set(labels, BREAKER_STATE_VALUES.halfOpen));
  breaker.on('close', () => state.set(labels, BREAKER_STATE_VALUES.closed));
}
