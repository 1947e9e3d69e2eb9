import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphQLFormattedError } from 'graphql';
import { LoginDocument, type TypedDocumentString } from '@shop/sdk';

export interface GraphQLResponse<Data = unknown> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: GraphQLFormattedError[];
}

export interface RequestOptions<Variables = Record<string, unknown>> {
  variables?: Variables;
  token?: string;
  headers?: Record<string, string>;
}

/** The options for one of the SDK's documents: its variables are required when the operation has a required one. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is exactly "no variables given" here, as in the SDK's VariablesOf.
type DocumentOptions<Variables> = {} extends Variables
  ? [options?: RequestOptions<Variables>]
  : [options: RequestOptions<Variables> & { variables: Variables }];

/**
 * POSTs one GraphQL operation to `baseUrl`/graphql, as a client would. Given one of the SDK's
 * documents (`OrderDocument`, ...), its variables are checked and `data` is its result type. Given
 * a document as text, `data` is `unknown` unless the call names the shape it expects.
 */
export function graphql<Result, Variables>(
  baseUrl: string,
  document: TypedDocumentString<Result, Variables>,
  ...options: DocumentOptions<NoInfer<Variables>>
): Promise<GraphQLResponse<Result>>;
export function graphql<Data = unknown>(baseUrl: string, query: string, options?: RequestOptions): Promise<GraphQLResponse<Data>>;
export async function graphql(
  baseUrl: string,
  document: string | TypedDocumentString<unknown, unknown>,
  options: RequestOptions<unknown> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: document.toString(), variables: options.variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: GraphQLFormattedError[] };
  return { status: response.status, headers: response.headers, ...body };
}

/** The codes of a response's errors, in order. */
export const errorCodes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);

/**
 * Only the named fields of an answer: where an SDK document selects more than a test checks, the
 * test still asserts exactly the fields it means, with `toEqual`.
 */
export function pick<T extends object, K extends keyof T>(object: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, object[key]])) as Pick<T, K>;
}

/**
 * How long it took until the gateway at `baseUrl` refused `token` (UNAUTHENTICATED), asking every
 * 100 ms: an ended session's token is refused within the gateway's revocation polls. Infinity when
 * it still accepted it after `withinMs`.
 */
export async function msUntilRefused(baseUrl: string, token: string, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (errorCodes(await graphql(baseUrl, '{ me { id } }', { token })).includes('UNAUTHENTICATED')) return Date.now() - started;
    if (Date.now() - started > withinMs) return Infinity;
    await sleep(100);
  }
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await graphql(baseUrl, LoginDocument, { variables: { email, password } });
  const token = response.data?.login.token;
  if (!token) throw new Error(`login as ${email} failed: ${JSON.stringify(response.errors)}`);
  return token;
}

export const ALICE = { email: 'alice@example.com', password: 'alice-password' };
export const ADMIN = { email: 'admin@example.com', password: 'admin-password' };
