import { BadUserInputError, ServiceUnavailableError } from './errors.js';
import type { Logger } from './logger.js';

/** PostgreSQL refuses NUL in text: any string a client sends may carry one, so it is their error, not ours. */
const CHARACTER_NOT_IN_REPERTOIRE = '22021';

/** The socket's own failures on the way to the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * The server's SQLSTATEs for "not now" rather than "not this statement": 08… a connection
 * exception; 57P01–57P03 shut down or restarting (also a failover); 53300 too many connections.
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;

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
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

/**
 * The error a client gets for a statement's failure: BAD_USER_INPUT for text PostgreSQL refuses,
 * SERVICE_UNAVAILABLE while the database cannot take statements (the service's dependency is
 * down, as DESIGN.md's codes say: not INTERNAL_SERVER_ERROR), else the error as it is (masked and
 * logged as unexpected further up).
 */
export function publicDatabaseError(error: unknown): unknown {
  if ((error as { code?: unknown }).code === CHARACTER_NOT_IN_REPERTOIRE) return new BadUserInputError('Text must not contain NUL (U+0000) characters');
  if (isDatabaseUnavailable(error)) return new ServiceUnavailableError();
  return error;
}

/**
 * Logs an outage of the database once, when its first statement fails, and its end once, when a
 * statement succeeds again; every request in between answers SERVICE_UNAVAILABLE without a line.
 */
export function databaseOutageLog(logger: Pick<Logger, 'warn' | 'info'> | undefined) {
  let since: number | undefined;
  return {
    failed(error: unknown) {
      if (since !== undefined || !isDatabaseUnavailable(error)) return;
      since = Date.now();
      logger?.warn({ err: error }, 'the database is unavailable; its requests answer SERVICE_UNAVAILABLE until it answers again');
    },
    answered() {
      if (since === undefined) return;
      logger?.info({ unavailableMs: Date.now() - since }, 'the database answers again');
      since = undefined;
    },
  };
}

export type DatabaseOutageLog = ReturnType<typeof databaseOutageLog>;
