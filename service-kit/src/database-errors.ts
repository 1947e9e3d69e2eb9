import { BadUserInputError, ServiceUnavailableError } from './errors.js';
import type { Logger } from './logger.js';

/** PostgreSQL refuses NUL in text: any string a client sends may carry one, so it is their error, not ours. */
const CHARACTER_NOT_IN_REPERTOIRE = '22021';

/** The socket's own failures on the way to the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EADDRNOTAVAIL']);

/**
 * The server's SQLSTATEs for "not now" rather than "not this statement": 08… a connection
 * exception; 57P01–57P03 shut down or restarting (also a failover); 53300 too many connections.
 * Not 08P01 at ERROR: PostgreSQL says that of a statement with the wrong number of parameters, a
 * bug of ours; a pooler (PgBouncer) says it at FATAL of its own failures.
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;
const PROTOCOL_VIOLATION = '08P01';

/**
 * node-postgres says these in words only: no free connection in time (pg-pool), no connection in
 * time, the connection lost mid-statement, or a client left unusable by an earlier loss.
 */
const UNAVAILABLE_MESSAGES = /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout|Connection terminated unexpectedly|Client has encountered a connection error and is not queryable)$/;

/**
 * Whether `error` says the database cannot take statements now (unreachable, restarting, out of
 * connections, or none free in time), rather than that the statement itself is wrong.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (typeof code === 'string' && UNAVAILABLE_STATES.test(code)) return code !== PROTOCOL_VIOLATION || severity === 'FATAL';
  if (UNAVAILABLE_MESSAGES.test(error.message)) return true;
  // Every address of a host refused (IPv6 and IPv4: Node's AggregateError), or a wrapped cause.
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return error.cause !== undefined && isDatabaseUnavailable(error.cause);
}

/**
 * The error a client gets for a statement's failure: BAD_USER_INPUT for text PostgreSQL refuses,
 * SERVICE_UNAVAILABLE while the database cannot take statements (the service's dependency is
 * down, as DESIGN.md's codes say: not INTERNAL_SERVER_ERROR), else the error as it is (masked and
 * logged as unexpected further up).
 */
export function publicDatabaseError(error: unknown): unknown {
  if ((error as { code?: unknown } | null | undefined)?.code === CHARACTER_NOT_IN_REPERTOIRE) return new BadUserInputError('Text must not contain NUL (U+0000) characters');
  // The driver's error stays as the cause, for the logs of work no client waits on (the event
  // relay, the reconciler); the client sees only the code and the message.
  if (isDatabaseUnavailable(error)) return Object.assign(new ServiceUnavailableError(), { cause: error });
  return error;
}

/**
 * Logs an outage of the database once, when its first statement fails, and its end once, when a
 * statement started after that failure succeeds (one already running says nothing of the outage);
 * every request in between answers SERVICE_UNAVAILABLE without a line.
 */
export function databaseOutageLog(logger: Pick<Logger, 'warn' | 'info'> | undefined) {
  let since: number | undefined;
  return {
    failed(error: unknown) {
      if (since !== undefined || !isDatabaseUnavailable(error)) return;
      since = performance.now();
      logger?.warn({ err: error }, 'the database cannot take statements (unreachable, restarting, or no connection free in time); its requests answer SERVICE_UNAVAILABLE until it does');
    },
    /** `startedAt`: performance.now() when the statement that succeeded was sent. */
    answered(startedAt: number) {
      if (since === undefined || startedAt < since) return;
      logger?.info({ unavailableMs: Math.round(performance.now() - since) }, 'the database answers again');
      since = undefined;
    },
  };
}

export type DatabaseOutageLog = ReturnType<typeof databaseOutageLog>;
