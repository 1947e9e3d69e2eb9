import { BadUserInputError } from './errors.js';

export const MAX_PAGE_SIZE = 100;

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

export interface Connection<Node> {
  edges: Edge<Node>[];
  /** The edges' nodes, for clients that need no per-item cursor. */
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** `first` must be 1..100 (DESIGN.md §2). */
export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return first;
}

/**
 * Lists are paged by keyset on a row's `seq` (a unique, increasing bigint, as text); cursors
 * wrap it so clients treat them as opaque.
 */
export function encodeCursor(seq: string): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

/** The `seq` an `after` cursor points at, or BAD_USER_INPUT naming `after`. */
export function decodeCursor(cursor: string): string {
  const match = /^seq:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw new BadUserInputError('The cursor is not valid', 'after');
  return match[1];
}

/**
 * Builds a connection from rows fetched with `LIMIT first + 1`: the extra row only tells that
 * a next page exists.
 */
export function toConnection<Row extends { seq: string }>(rows: readonly Row[], first: number, totalCount: number): Connection<Row> {
  const edges = rows.slice(0, first).map((row) => ({ cursor: encodeCursor(row.seq), node: row }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** One page of rows, and how many rows match over all pages. */
export interface Page<Row> {
  rows: Row[];
  totalCount: number;
}

/**
 * The page of a "total LEFT JOIN LATERAL page" query: every row carries `total_count`, and an
 * empty page comes back as a single row whose own columns are null, so the total arrives even then.
 */
export function pageOf<Row extends { id: string }>(rows: readonly ((Row | { id: null }) & { total_count: number })[]): Page<Row> {
  return { totalCount: rows[0]?.total_count ?? 0, rows: rows.filter((row): row is Row & { total_count: number } => row.id !== null) };
}
