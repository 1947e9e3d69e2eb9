import {
  LoginDocument,
  RegisterDocument,
  type LoginMutation,
  type RegisterInput,
  type RegisterMutation,
  type TypedDocumentString,
} from './__generated__/graphql.js';
import { ShopError, ShopNetworkError, toShopGraphQLError } from './errors.js';

export interface ShopClientOptions {
  /** The gateway's GraphQL endpoint, such as `http://localhost:4000/graphql`. */
  url: string | URL;
  /** A token from an earlier sign-in; `login` and `register` set it too. */
  token?: string;
  /** The fetch to use (the global one by default): pass one to add headers, retries or tracing. */
  fetch?: typeof globalThis.fetch;
  /**
   * Send each document as its SHA-256 hash (Apollo's persisted-query extension), falling back to
   * its text where the server does not know the hash. On by default: requests are smaller and a
   * gateway that serves only persisted documents accepts them.
   */
  persistedDocuments?: boolean;
}

/** The variables argument: optional where the operation has no required variable (where no variables at all will do). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is exactly "no variables given" here.
export type VariablesOf<TVariables> = {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export interface ShopClient {
  /**
   * Runs one of the SDK's documents: its result and variables are typed from the document alone.
   * Throws ShopError when the server answers with errors, ShopNetworkError when it cannot be reached.
   */
  request<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, ...variables: VariablesOf<NoInfer<TVariables>>): Promise<TResult>;
  /** Signs in and keeps the token for the requests that follow. */
  login(email: string, password: string): Promise<LoginMutation['login']>;
  /** Creates a customer account, signs it in and keeps the token. */
  register(input: RegisterInput): Promise<RegisterMutation['register']>;
  /** Forgets the token: the requests that follow are anonymous. */
  signOut(): void;
  /** The token sent as `Authorization: Bearer`, if any. */
  readonly token: string | undefined;
}

interface GraphQLAnswer {
  status: number;
  body: { data?: unknown; errors?: unknown[] };
  retryAfterSeconds?: number;
}

const PERSISTED_QUERY_MISSES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

export function createShopClient(options: ShopClientOptions): ShopClient {
  const url = String(options.url);
  // Called through a function, never as a detached method: browsers refuse a fetch called without its window.
  const fetchFn: typeof globalThis.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const byHash = options.persistedDocuments ?? true;
  let token = options.token;

  async function send(body: Record<string, unknown>): Promise<GraphQLAnswer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
    };
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(url, { method: 'POST', headers, body: JSON.stringify(body) });
      text = await response.text();
    } catch (cause) {
      throw new ShopNetworkError(`Could not reach the shop at ${url}`, undefined, { cause });
    }
    const parsed = parseGraphQLBody(text);
    if (!parsed) throw new ShopNetworkError(`The shop at ${url} answered HTTP ${response.status} without a GraphQL response`, response.status);
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    return { status: response.status, body: parsed, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  }

  async function request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesOf<TVariables>
  ): Promise<TResult> {
    const hash: unknown = document.__meta__?.hash;
    let answer: GraphQLAnswer | undefined;
    if (byHash && typeof hash === 'string') {
      answer = await send({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    }
    // The hash is of the document's normalized text, so the fallback sends the text alone.
    if (!answer || isPersistedQueryMiss(answer)) answer = await send({ query: document.toString(), variables });
    const { status, body, retryAfterSeconds } = answer;
    if (body.errors && body.errors.length > 0) {
      throw new ShopError(body.errors.map(toShopGraphQLError), body.data ?? null, status, retryAfterSeconds);
    }
    if (body.data === undefined || body.data === null) {
      throw new ShopNetworkError(`The shop at ${url} answered HTTP ${status} with neither data nor errors`, status);
    }
    return body.data as TResult;
  }

  return {
    request,
    async login(email, password) {
      const { login } = await request(LoginDocument, { email, password });
      token = login.token;
      return login;
    },
    async register(input) {
      const { register } = await request(RegisterDocument, { input });
      token = register.token;
      return register;
    },
    signOut() {
      token = undefined;
    },
    get token() {
      return token;
    },
  };
}

function isPersistedQueryMiss({ body }: GraphQLAnswer): boolean {
  return (body.errors ?? []).some((error) => PERSISTED_QUERY_MISSES.has(toShopGraphQLError(error).code));
}

function parseGraphQLBody(text: string): GraphQLAnswer['body'] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (errors !== undefined && !Array.isArray(errors)) return undefined;
  if (data === undefined && errors === undefined) return undefined;
  return { data, ...(errors ? { errors } : {}) };
}

/** `Retry-After` in seconds, whether sent as seconds or as an HTTP date. */
function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
