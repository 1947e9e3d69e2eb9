import { describe, expect, it } from 'vitest';
import { AppError, BadUserInputError } from '../src/errors.js';
import { checkPageSize, decodeCursor, encodeCursor, toConnection } from '../src/pagination.js';

/** The error `work` throws; fails the test when it throws nothing. */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

const rows = (...seqs: string[]) => seqs.map((seq) => ({ seq, name: `row ${seq}` }));

describe('checkPageSize', () => {
  it.each([1, 20, 100])('accepts first = %s', (first) => {
    expect(checkPageSize(first)).toBe(first);
  });

  it.each([0, -1, 101, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses first = %s as BAD_USER_INPUT naming first', (first) => {
    const error = thrown(() => checkPageSize(first));
    expect(error).toBeInstanceOf(BadUserInputError);
    expect((error as AppError).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe('encodeCursor and decodeCursor', () => {
  it.each(['0', '1', '42', '900719925474099312'])('round-trips seq %s', (seq) => {
    expect(decodeCursor(encodeCursor(seq))).toBe(seq);
  });

  it('makes cursors opaque: neither the seq nor the prefix appears in plain text', () => {
    const cursor = encodeCursor('12345');
    expect(cursor).not.toContain('12345');
    expect(cursor).not.toContain('seq');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('gives different seqs different cursors', () => {
    expect(encodeCursor('1')).not.toBe(encodeCursor('2'));
  });

  it.each([
    ['garbage', 'not a cursor'],
    ['empty', ''],
    ['without the prefix', Buffer.from('12').toString('base64url')],
    ['a non-numeric seq', Buffer.from('seq:abc').toString('base64url')],
    ['a negative seq', Buffer.from('seq:-1').toString('base64url')],
    ['a seq with trailing text', Buffer.from('seq:12;drop').toString('base64url')],
    ['a seq too long for the pattern', Buffer.from(`seq:${'9'.repeat(30)}`).toString('base64url')],
  ])('refuses %s as BAD_USER_INPUT naming after', (_case, cursor) => {
    const error = thrown(() => decodeCursor(cursor));
    expect(error).toBeInstanceOf(BadUserInputError);
    expect((error as AppError).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('toConnection', () => {
  it('reports a next page when it got one row more than first, and drops that row', () => {
    const connection = toConnection(rows('1', '2', '3'), 2, 10);
    expect(connection.edges.map((edge) => edge.node.seq)).toEqual(['1', '2']);
    expect(connection.nodes).toEqual(connection.edges.map((edge) => edge.node));
    expect(connection.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor('2') });
    expect(connection.totalCount).toBe(10);
  });

  it('reports no next page when it got exactly first rows', () => {
    const connection = toConnection(rows('1', '2'), 2, 2);
    expect(connection.edges).toHaveLength(2);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor('2') });
  });

  it('reports no next page when it got fewer rows than first', () => {
    const connection = toConnection(rows('7'), 5, 1);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor('7') });
  });

  it('gives each edge the cursor of its own row and the row as node', () => {
    const page = rows('4', '9');
    const connection = toConnection(page, 5, 2);
    expect(connection.edges).toEqual([
      { cursor: encodeCursor('4'), node: page[0] },
      { cursor: encodeCursor('9'), node: page[1] },
    ]);
    expect(decodeCursor(connection.edges[1]!.cursor)).toBe('9');
  });

  it('has a null endCursor and no next page when empty', () => {
    expect(toConnection([], 20, 0)).toEqual({ edges: [], nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  });
});
