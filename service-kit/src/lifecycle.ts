import type { Logger } from './logger.js';

/**
 * On SIGTERM or SIGINT runs `shutdown` once (stop taking requests, finish in-flight ones,
 * close pools and the database), then exits: 0 when it finished cleanly, 1 otherwise.
 */
export function shutdownOnSignals(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
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
