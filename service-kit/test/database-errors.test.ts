import { describe, expect, it } from 'vitest';
import { databaseOutageLog, isDatabaseUnavailable, publicDatabaseError } from '../src/database-errors.js';
import { AppError } from '../src/errors.js';
import { capturingLogger } from '../../test/support/logger.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('a database error as a client sees it', () => {
  it.each([
    ['the server refusing connections', withCode('ECONNREFUSED')],
    ['a connection reset', withCode('ECONNRESET')],
    ['a host that does not resolve', withCode('ENOTFOUND')],
    ['a connection exception (08006)', withCode('08006')],
    ['the server shutting down (57P01)', withCode('57P01')],
    ['the server starting up (57P03)', withCode('57P03')],
    ['too many connections (53300)', withCode('53300')],
    ['no pooled connection free in time', new Error('timeout exceeded when trying to connect')],
    ['no new connection in time', new Error('Connection terminated due to connection timeout')],
    ['the connection lost mid-statement', new Error('Connection terminated unexpectedly')],
    ['a pooler failing (08P01 at FATAL)', Object.assign(withCode('08P01'), { severity: 'FATAL' })],
    ['every address of the host refused (AggregateError)', new AggregateError([withCode('EAFNOSUPPORT'), withCode('ECONNREFUSED')], '')],
    ['a refusal wrapped as the cause', new Error('could not connect', { cause: withCode('ECONNREFUSED') })],
  ])('is SERVICE_UNAVAILABLE for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    const seen = publicDatabaseError(error);
    expect(seen).toBeInstanceOf(AppError);
    expect((seen as AppError).code).toBe('SERVICE_UNAVAILABLE');
    // Nothing of the database's host or error reaches the client.
    expect((seen as AppError).message).not.toMatch(/ECONN|timeout|terminated|08006|57P|53300/);
    // ... which keeps it only as the cause, for the logs.
    expect((seen as Error).cause).toBe(error);
  });

  it('is BAD_USER_INPUT for text with NUL, which PostgreSQL refuses (22021)', () => {
    expect((publicDatabaseError(withCode('22021')) as AppError).code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error (42601)', withCode('42601')],
    ['a statement the pool ran after it was closed', new Error('Cannot use a pool after calling end on the pool')],
    ['a statement with the wrong number of parameters (08P01 at ERROR: our bug)', Object.assign(withCode('08P01'), { severity: 'ERROR' })],
    ['a thrown non-error', 'boom'],
    ['a thrown null', null],
  ])('is left as it is, an unexpected error, for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(publicDatabaseError(error)).toBe(error);
  });
});

describe('the log of a database outage', () => {
  it('says when it starts and when it ends, once each, ignoring errors that are not an outage and statements sent before it', () => {
    const { logger, lines } = capturingLogger();
    const outage = databaseOutageLog(logger);
    outage.answered(performance.now());
    outage.failed(withCode('23505'));
    const sentBefore = performance.now();
    outage.failed(withCode('ECONNREFUSED'));
    outage.failed(withCode('ECONNREFUSED'));
    outage.failed(new Error('timeout exceeded when trying to connect'));
    // A statement already running when the outage began says nothing of it.
    outage.answered(sentBefore - 1);
    outage.answered(performance.now());
    outage.answered(performance.now());
    expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: 40, msg: 'the database cannot take statements (unreachable, restarting, or no connection free in time); its requests answer SERVICE_UNAVAILABLE until it does' },
      { level: 30, msg: 'the database answers again' },
    ]);
    // The outage's cause, for the operator; how long it lasted.
    expect(lines[0]).toMatchObject({ err: { code: 'ECONNREFUSED' } });
    expect(lines[1]!.unavailableMs).toBeTypeOf('number');
  });
});
