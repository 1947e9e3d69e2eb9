import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApolloServer, type GraphQLRequest } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { pino } from 'pino';
import { BadUserInputError, NotFoundError } from '../src/errors.js';
import { formatError, unexpectedErrorLogging } from '../src/format-error.js';

const typeDefs = `#graphql
  type Query {
    notFound: String
    badInput: String
    crash: String
    oddlyCoded: String
    fine: String
  }
`;

const resolvers = {
  Query: {
    notFound: () => {
      throw new NotFoundError('No such widget');
    },
    badInput: () => {
      throw new BadUserInputError('quantity must be 1 to 1000', 'quantity');
    },
    crash: () => {
      throw new Error('connection to 10.0.0.7 refused: password authentication failed');
    },
    oddlyCoded: () => {
      throw new GraphQLError('vendor library secret detail', { extensions: { code: 'SOME_LIBRARY_CODE' } });
    },
    fine: () => 'ok',
  },
};

/** Each JSON line the logger wrote (parsed log records have no fixed shape). */
type LogLine = Record<string, unknown> & { err?: { message?: string; stack?: string } };
const logLines: LogLine[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) });
/** What a service's context carries: the request's own logger, with its request id. */
const contextValue = { logger: logger.child({ requestId: 'request-1' }) };

let server: ApolloServer<typeof contextValue>;

beforeAll(async () => {
  server = new ApolloServer<typeof contextValue>({
    typeDefs,
    resolvers,
    formatError,
    plugins: [unexpectedErrorLogging(logger)],
    // Stack traces on, as outside production, so the test sees that formatError removes them.
    includeStacktraceInErrorResponses: true,
  });
  await server.start();
});

afterAll(() => server?.stop());

beforeEach(() => {
  logLines.length = 0;
});

/** The errors of one operation, as a client would receive them. */
async function errorsOf(request: Omit<GraphQLRequest, 'query'> & { query?: string }): Promise<readonly GraphQLFormattedError[]> {
  const response = await server.executeOperation(request, { contextValue });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const errors = response.body.singleResult.errors;
  if (!errors) throw new Error(`expected errors, got ${JSON.stringify(response.body.singleResult)}`);
  return errors;
}

describe('formatError and unexpectedErrorLogging', () => {
  it('passes an AppError with its code and message, without a stack trace, and logs nothing', async () => {
    const [error] = await errorsOf({ query: '{ notFound }' });
    expect(error).toEqual({
      message: 'No such widget',
      path: ['notFound'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'NOT_FOUND' },
    });
    expect(logLines).toEqual([]);
  });

  it('keeps the extensions of an AppError subclass, such as the field at fault', async () => {
    const [error] = await errorsOf({ query: '{ badInput }' });
    expect(error?.message).toBe('quantity must be 1 to 1000');
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'quantity' });
  });

  it('masks a plain Error thrown in a resolver as INTERNAL_SERVER_ERROR and logs it exactly once, with the request id', async () => {
    const response = await server.executeOperation({ query: '{ crash fine }' }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    const { data, errors } = response.body.singleResult;

    expect(data).toEqual({ crash: null, fine: 'ok' });
    expect(errors).toEqual([
      {
        message: 'Internal server error',
        path: ['crash'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatchObject({
      level: 50,
      msg: 'unexpected error',
      requestId: 'request-1',
      path: ['crash'],
      err: { message: 'connection to 10.0.0.7 refused: password authentication failed' },
    });
    expect(logLines[0]?.err?.stack).toContain('connection to 10.0.0.7 refused');
  });

  it('masks a GraphQLError whose code is not one of the public codes and logs it once', async () => {
    const [error] = await errorsOf({ query: '{ oddlyCoded }' });
    expect(error?.message).toBe('Internal server error');
    expect(error?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(logLines).toHaveLength(1);
    expect(logLines[0]?.err?.message).toBe('vendor library secret detail');
  });

  it('turns GRAPHQL_VALIDATION_FAILED into BAD_USER_INPUT, keeping the message', async () => {
    const [error] = await errorsOf({ query: '{ noSuchField }' });
    expect(error?.message).toMatch(/Cannot query field "noSuchField"/);
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(logLines).toEqual([]);
  });

  it('turns GRAPHQL_PARSE_FAILED into BAD_USER_INPUT', async () => {
    const [error] = await errorsOf({ query: '{ fine' });
    expect(error?.message).toMatch(/^Syntax Error/);
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(logLines).toEqual([]);
  });

  it('passes PERSISTED_QUERY_NOT_FOUND unchanged, as the APQ protocol needs', async () => {
    const [error] = await errorsOf({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(error).toEqual({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect(logLines).toEqual([]);
  });
});
