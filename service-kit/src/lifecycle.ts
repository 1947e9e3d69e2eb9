import type { Logger } from './logger.js';

export interface ShutdownOptions {
  /**
   * Exits with 1 if shutdown has not finished this long after the signal: draining is bounded by
   * the shutdown timeout, but closing a pool or a database may still wait on work a cut-off
   * request left running (pg's pool.end waits for every checked-out client).
   */
  deadlineMs?: number;
}

/**
 * On SIGTERM or SIGINT runs `shutdown` once (stop taking requests, finish in-flight ones,
 * close pools and the database), then exits: 0 when it finished, 1 when it failed or missed
 * its deadline. A second SIGTERM or SIGINT while stopping kills the process at once (Ctrl-C twice).
 */
export function shutdownOnSignals(logger: Logger, shutdown: () => Promise<void>, options: ShutdownOptions = {}): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (options.deadlineMs !== undefined) {
      const { deadlineMs } = options;
      setTimeout(() => {
        logger.error({ deadlineMs }, 'shutdown did not finish in time');
        process.exit(1);
      }, deadlineMs);
    }
    shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Logs why start-up failed (a ConfigError lists every problem) and exits with 1. */
export function exitOnStartFailure(logger: Pick<Logger, 'fatal'>) {
  return (error: unknown): never => {
    logger.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
    process.exit(1);
  };
}
