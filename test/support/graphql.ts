import type { GraphQLFormattedError } from 'graphql';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: GraphQLFormattedError[];
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

/** POSTs one GraphQL operation to `baseUrl`/graphql, as a client would. */
// Test data is read by path; `any` keeps assertions on deep response shapes short.
export async function graphql<Data = any>(baseUrl: string, query: string, options: RequestOptions = {}): Promise<GraphQLResponse<Data>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const body = (await response.json()) as { data?: Data | null; errors?: GraphQLFormattedError[] };
  return { status: response.status, headers: response.headers, ...body };
}

/** The codes of a response's errors, in order. */
export const errorCodes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((error) => error.extensions?.code);

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await graphql(baseUrl, 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }', {
    variables: { email, password },
  });
  const token = (response.data as { login?: { token?: string } } | null | undefined)?.login?.token;
  if (!token) throw new Error(`login as ${email} failed: ${JSON.stringify(response.errors)}`);
  return token;
}

export const ALICE = { email: 'alice@example.com', password: 'alice-password' };
export const ADMIN = { email: 'admin@example.com', password: 'admin-password' };
