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
  ])('is SERVICE_UNAVAILABLE for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    const seen = publicDatabaseError(error);
    expect(seen).toBeInstanceOf(AppError);
    expect((seen as AppError).code).toBe('SERVICE_UNAVAILABLE');
    // Nothing of the database's host or error reaches the client.
    expect((seen as AppError).message).not.toMatch(/ECONN|timeout|terminated|08006|57P|53300/);
  });

  it('is BAD_USER_INPUT for text with NUL, which PostgreSQL refuses (22021)', () => {
    expect((publicDatabaseError(withCode('22021')) as AppError).code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error (42601)', withCode('42601')],
    ['a statement the pool ran after it was closed', new Error('Cannot use a pool after calling end on the pool')],
    ['a thrown non-error', 'boom'],
  ])('is left as it is, an unexpected error, for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(publicDatabaseError(error)).toBe(error);
  });
});

describe('the log of a database outage', () => {
  it('says when it starts and when it ends, once each, and ignores errors that are not an outage', () => {
    const { logger, lines } = capturingLogger();
    const outage = databaseOutageLog(logger);
    outage.answered();
    outage.failed(withCode('23505'));
    outage.failed(withCode('ECONNREFUSED'));
    outage.failed(withCode('ECONNREFUSED'));
    outage.failed(new Error('timeout exceeded when trying to connect'));
    outage.answered();
    outage.answered();
    expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: 40, msg: 'the database is unavailable; its requests answer SERVICE_UNAVAILABLE until it answers again' },
      { level: 30, msg: 'the database answers again' },
    ]);
    // The outage's cause, for the operator; how long it lasted.
    expect(lines[0]).toMatchObject({ err: { code: 'ECONNREFUSED' } });
    expect(lines[1]!.unavailableMs).toBeTypeOf('number');
  });
});
