import {
  ChangePasswordDocument,
  DeleteMeDocument,
  LoginDocument,
  RefreshSessionDocument,
  RegisterDocument,
  SignOutDocument,
  SignOutEverywhereDocument,
  type ChangePasswordMutation,
  type LoginMutation,
  type RefreshSessionMutation,
  type RegisterInput,
  type RegisterMutation,
  type SessionFieldsFragment,
  type TypedDocumentString,
} from './__generated__/graphql.js';
import { ShopError, ShopNetworkError, toShopGraphQLError } from './errors.js';
import { openSubscription, type ShopSubscription, type SubscriptionRetryOptions } from './subscriptions.js';
import { answerInParts, type AnswerInParts, type PartsRequest } from './parts.js';

/**
 * What the client needs to stay signed in: the short-lived access token (sent as
 * `Authorization: Bearer`) and the single-use refresh token that renews it, with their expiry
 * times (ISO-8601). Persist it (see `onSession`) to resume a session after a reload; keep it as
 * secret as a password.
 */
export interface ShopSession {
  token: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export interface ShopClientOptions {
  /** The gateway's GraphQL endpoint, such as `http://localhost:4000/graphql`. */
  url: string | URL;
  /** An access token from an earlier sign-in, without a session: it is not renewed when it expires. Ignored when `session` is given. */
  token?: string;
  /** A session kept from earlier (`onSession`), to resume it: the client renews it by itself. */
  session?: ShopSession;
  /**
   * Called, synchronously, each time the session the client holds changes: signed in, renewed
   * (every refresh retires the refresh token, so persist each new one), or ended (`null`: signed
   * out, erased, or refused when renewed). Not called for the `session` option itself.
   */
  onSession?: (session: ShopSession | null) => void;
  /** The fetch to use (the global one by default): pass one to add headers, retries or tracing. */
  fetch?: typeof globalThis.fetch;
  /**
   * Send each document as its SHA-256 hash (Apollo's persisted-query extension), falling back to
   * its text where the server does not know the hash. On by default: requests are smaller and a
   * gateway that serves only persisted documents accepts them.
   */
  persistedDocuments?: boolean;
  /** How `subscribe` resubscribes after a dropped connection or a stream the server ended with a code that says to. */
  subscriptionRetry?: SubscriptionRetryOptions;
}

/** The variables argument: optional where the operation has no required variable (where no variables at all will do). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is exactly "no variables given" here.
export type VariablesOf<TVariables> = {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export interface ShopClient {
  /**
   * Runs one of the SDK's documents: its result and variables are typed from the document alone.
   * Throws ShopError when the server answers with errors, ShopNetworkError when it cannot be reached.
   *
   * With a session held, an UNAUTHENTICATED answer renews it once (one refresh shared by every
   * call that failed with the same access token) and the call is sent once more; when the renewal
   * is refused, the session is dropped and the call's own error is thrown. An access token known
   * to be expired is renewed before the call is sent. `ChangePassword` keeps the session it
   * answers with; `SignOut`, `SignOutEverywhere` and `DeleteMe` drop the session once they
   * succeed. `Login` and `Register` run here do not change who the client is signed in as (an
   * admin can create an account without becoming it): use `login` and `register` for that.
   */
  request<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, ...variables: VariablesOf<NoInfer<TVariables>>): Promise<TResult>;
  /**
   * Subscribes to one of the SDK's subscription documents (GraphQL over SSE, the document sent by
   * its hash, with the access token): an async iterable of its typed results, one per event.
   * Breaking out of the loop (or `close()`) closes the stream.
   *
   * A dropped connection, or a stream the server ended with SERVICE_UNAVAILABLE and a reason that
   * says to (SUPERGRAPH_RELOADED, SHUTTING_DOWN, SUBGRAPH_STREAM_LOST, SUBSCRIPTIONS_FULL), is
   * subscribed again after a backoff (`subscriptionRetry`), resuming after the last event received
   * when the operation declares `$after`: no event lost, none twice. UNAUTHENTICATED renews the
   * session once, as `request` does, and subscribes again. Any other error ends the loop with
   * ShopError; a server out of reach past the retries with ShopNetworkError.
   */
  subscribe<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, ...variables: VariablesOf<NoInfer<TVariables>>): ShopSubscription<TResult>;
  /**
   * Runs one of the SDK's documents with `@defer` in parts (GraphQL over SSE, the document sent by
   * its hash, with the access token, renewed first when it is known to be expired): an async
   * iterable of its data so far, typed, with `complete` false until the last part has come. The
   * result types say which deferred fields may still be missing. Errors any part carried are thrown
   * once all have come, as ShopError with the data merged (as `request` throws a partial answer).
   * An UNAUTHENTICATED first part renews the session once and asks again, as `request` does.
   * `close()` ends it at once (a page left while a slow part is awaited). `request` runs the same
   * document whole.
   */
  requestInParts<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, ...variables: VariablesOf<NoInfer<TVariables>>): PartsRequest<TResult>;
  /** Signs in and keeps the session for the requests that follow. */
  login(email: string, password: string): Promise<LoginMutation['login']>;
  /** Creates a customer account, signs it in and keeps the session. */
  register(input: RegisterInput): Promise<RegisterMutation['register']>;
  /**
   * Renews the session now; the client does so by itself when the access token expires. Rejects
   * when no session is held, and, dropping the session, when the server refuses the renewal.
   */
  refreshSession(): Promise<ShopSession>;
  /** Changes the password, which ends every session, and keeps the new session the server answers with. */
  changePassword(currentPassword: string, newPassword: string): Promise<ChangePasswordMutation['changePassword']>;
  /**
   * Forgets the session at once, so the requests that follow are anonymous, and ends it on the
   * server (renewing the access token first if it has expired). The promise tells whether the
   * server could be told; not waiting for it is safe (its failure is never an unhandled rejection).
   */
  signOut(): Promise<void>;
  /** Ends every session of the signed-in user on the server, this one included, then forgets it. */
  signOutEverywhere(): Promise<void>;
  /** Erases the signed-in user's account (the password confirms it), then forgets the session. */
  deleteMe(currentPassword: string): Promise<void>;
  /** Holds this session from now on (from an AuthPayload such as `RefreshSession`'s), or none; tells `onSession`. */
  setSession(session: ShopSession | null): void;
  /** The session held, if any. */
  readonly session: ShopSession | undefined;
  /** The access token sent as `Authorization: Bearer`, if any. */
  readonly token: string | undefined;
}

interface GraphQLAnswer {
  status: number;
  body: { data?: unknown; errors?: unknown[] };
  retryAfterSeconds?: number;
}

const PERSISTED_QUERY_MISSES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/**
 * Documents that need no signed-in user: sent without the access token (an expired one would get
 * the whole request refused) and never renewed-and-retried, since their UNAUTHENTICATED is about
 * their own arguments (a wrong password, a spent refresh token).
 */
const SIGN_IN_DOCUMENTS = new Set([LoginDocument, RegisterDocument, RefreshSessionDocument].map(String));
/** Documents after whose success the session is over on the server. */
const SESSION_ENDING_DOCUMENTS = new Set([SignOutDocument, SignOutEverywhereDocument, DeleteMeDocument].map(String));
const REFRESH_SESSION = String(RefreshSessionDocument);
const CHANGE_PASSWORD = String(ChangePasswordDocument);

/**
 * An access token this close to its expiry counts as expired: renewing it before the call saves
 * the round trip of a refused one, and the margin covers the time the call takes to arrive.
 */
const EXPIRY_MARGIN_MS = 10_000;

export function createShopClient(options: ShopClientOptions): ShopClient {
  const url = String(options.url);
  // Called through a function, never as a detached method: browsers refuse a fetch called without its window.
  const fetchFn: typeof globalThis.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const byHash = options.persistedDocuments ?? true;
  let session = options.session;
  let token = session ? session.token : options.token;
  /**
   * Each session's renewal, by the session it renews: concurrent calls that fail with the same
   * access token share one refresh, and a call that fails after the renewal is done follows it
   * instead of spending the (by then retired) refresh token again, which would end the session.
   */
  const renewals = new WeakMap<ShopSession, Promise<ShopSession>>();
  /** Whether this machine's clock can tell an expired access token; see `adopt`. */
  let clockAgrees = true;
  /**
   * Counts the changes of who the client is signed in as (a renewal or a password change keeps
   * it): a subscription resubscribes only as the user it was opened by.
   */
  let identity = 0;

  /** Holds `next` (or nothing) and tells `onSession` when that is a change; `sameUser` for a renewal of the session held. */
  function hold(next: ShopSession | undefined, sameUser = false): void {
    if (next === session && (next !== undefined || token === undefined)) return;
    if (!sameUser) identity += 1;
    session = next;
    token = next?.token;
    options.onSession?.(next ?? null);
  }

  /** Holds a session the server has just issued. */
  function adopt(payload: SessionFieldsFragment, sameUser = false): ShopSession {
    const fresh = sessionOf(payload);
    // A token just issued that already looks expired means this clock is off (or tokens live only
    // seconds): renewing before each call would then renew every time, so only refusals renew.
    if (expiresSoon(fresh)) clockAgrees = false;
    hold(fresh, sameUser);
    return fresh;
  }

  async function send(body: Record<string, unknown>, bearer: string | undefined): Promise<GraphQLAnswer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
    };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
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

  /** One run of a document with the given access token: no renewal, no effect on the session. */
  async function attempt<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables | undefined, bearer: string | undefined): Promise<TResult> {
    const hash: unknown = document.__meta__?.hash;
    let answer: GraphQLAnswer | undefined;
    if (byHash && typeof hash === 'string') {
      answer = await send({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, bearer);
    }
    // The hash is of the document's normalized text, so the fallback sends the text alone.
    if (!answer || isPersistedQueryMiss(answer)) answer = await send({ query: document.toString(), variables }, bearer);
    const { status, body, retryAfterSeconds } = answer;
    if (body.errors && body.errors.length > 0) {
      throw new ShopError(body.errors.map(toShopGraphQLError), body.data ?? null, status, retryAfterSeconds);
    }
    if (body.data === undefined || body.data === null) {
      throw new ShopNetworkError(`The shop at ${url} answered HTTP ${status} with neither data nor errors`, status);
    }
    return body.data as TResult;
  }

  /**
   * Renews `stale` with its refresh token, once: the first caller starts the refresh and later ones
   * get the same promise. The result is held only while `stale` still is (a sign-out or another
   * sign-in meanwhile wins). A refusal drops the session: the refresh token was spent or the
   * session ended (signed out, expired, erased, or a copied refresh token was used).
   */
  function renewalOf(stale: ShopSession): Promise<ShopSession> {
    let renewal = renewals.get(stale);
    if (renewal) return renewal;
    renewal = (async () => {
      try {
        const { refreshSession } = await attempt(RefreshSessionDocument, { refreshToken: stale.refreshToken }, undefined);
        return session === stale ? adopt(refreshSession, true) : sessionOf(refreshSession);
      } catch (error) {
        if (isUnauthenticated(error) && session === stale) hold(undefined);
        throw error;
      }
    })();
    renewals.set(stale, renewal);
    // Only an answered refusal is final; after a network failure or RATE_LIMITED the refresh
    // token is presumably unspent, so a later call may try again.
    void renewal.catch((error: unknown) => {
      if (!isUnauthenticated(error)) renewals.delete(stale);
    });
    return renewal;
  }

  /**
   * The session to retry with after `stale` was refused: its renewal (shared), followed through
   * any renewals since. Undefined when the client has since signed out or in as someone else: a
   * call is never retried as another user. Rejects with the refresh's error when it failed.
   */
  async function renew(stale: ShopSession): Promise<ShopSession | undefined> {
    if (stale !== session && !renewals.has(stale)) return undefined;
    const fresh = await renewalOf(stale);
    return fresh === session ? fresh : renew(fresh);
  }

  /**
   * The session to send a call again with after `refusal` refused `sentWith`'s token: its renewal
   * (shared). A refused renewal means the session is over, so the call's own `refusal` is thrown,
   * as it is when the client has since signed out or in as someone else; any other failure of the
   * renewal (network, RATE_LIMITED) is the news, thrown as it is, and the session kept for later.
   */
  async function renewedAfter(sentWith: ShopSession, refusal: unknown): Promise<ShopSession> {
    let renewed: ShopSession | undefined;
    try {
      renewed = await renew(sentWith);
    } catch (refreshError) {
      throw isUnauthenticated(refreshError) ? refusal : refreshError;
    }
    if (!renewed) throw refusal;
    return renewed;
  }

  async function request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesOf<TVariables>
  ): Promise<TResult> {
    const text = document.toString();
    if (SIGN_IN_DOCUMENTS.has(text)) {
      const result = await attempt(document, variables, undefined).catch((error: unknown) => {
        if (text === REFRESH_SESSION && isUnauthenticated(error) && refreshTokenOf(variables) === session?.refreshToken) hold(undefined);
        throw error;
      });
      // A renewal of the held session, run by hand: hold its result, or the next renewal would spend the retired token.
      const renewed = session;
      if (text === REFRESH_SESSION && renewed && refreshTokenOf(variables) === renewed.refreshToken) {
        // The document is RefreshSession, so the result is its answer.
        const fresh = adopt((result as RefreshSessionMutation).refreshSession, true);
        renewals.set(renewed, Promise.resolve(fresh));
      }
      return result;
    }
    if (session && clockAgrees && expiresSoon(session)) await renew(session);
    const sentWith = session;
    let usedToken = token;
    let result: TResult;
    try {
      result = await attempt(document, variables, usedToken);
    } catch (error) {
      if (!sentWith || !isTokenRefused(error)) throw error;
      usedToken = (await renewedAfter(sentWith, error)).token;
      result = await attempt(document, variables, usedToken);
    }
    // The session's own operations change it, unless the client changed hands while they ran.
    if (token === usedToken && usedToken !== undefined) {
      if (SESSION_ENDING_DOCUMENTS.has(text)) hold(undefined);
      // The document is ChangePassword, so the result is its answer.
      else if (text === CHANGE_PASSWORD) adopt((result as ChangePasswordMutation).changePassword, true);
    }
    return result;
  }

  /** Ends a session the client has already let go of, with its own tokens. */
  async function endOnServer(ending: ShopSession | undefined, endingToken: string): Promise<void> {
    try {
      await attempt(SignOutDocument, undefined, endingToken);
    } catch (error) {
      if (!ending || !isUnauthenticated(error)) throw error;
      // The access token has expired: renew it (or join a renewal under way) to end the session.
      let fresh: ShopSession;
      try {
        fresh = await renewalOf(ending);
      } catch (refreshError) {
        if (isUnauthenticated(refreshError)) return; // refused: the session had already ended
        throw refreshError;
      }
      await attempt(SignOutDocument, undefined, fresh.token);
    }
  }

  function requestInParts<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, ...[variables]: VariablesOf<TVariables>): PartsRequest<TResult> {
    const stop = new AbortController();
    const host = { url, fetch: fetchFn, byHash };
    async function* parts(): AsyncGenerator<AnswerInParts<TResult>, void, undefined> {
      if (session && clockAgrees && expiresSoon(session)) await renew(session);
      const sentWith = session;
      let answered = false;
      try {
        for await (const state of answerInParts(host, document, variables, token, stop.signal)) {
          answered = true;
          yield state;
        }
        return;
      } catch (error) {
        // Refused before any part: the token (expired on a clock not trusted, or revoked) renewed once, as `request` does.
        if (answered || !sentWith || !isUnauthenticated(error)) throw error;
        await renewedAfter(sentWith, error);
      }
      yield* answerInParts(host, document, variables, token, stop.signal);
    }
    return Object.assign(parts(), { close: () => stop.abort() });
  }

  function subscribe<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesOf<TVariables>
  ): ShopSubscription<TResult> {
    const openedAs = identity;
    return openSubscription(
      {
        url,
        fetch: fetchFn,
        byHash,
        retry: { attempts: 8, initialDelayMs: 500, maxDelayMs: 15_000, ...options.subscriptionRetry },
        async credentials() {
          if (identity !== openedAs) {
            throw new ShopError([{ message: 'The client signed out, or in as someone else, since this subscription began', code: 'UNAUTHENTICATED' }], null, 0);
          }
          if (session && clockAgrees && expiresSoon(session)) await renew(session);
          return { token, session };
        },
        async renewAfterRefusal(stale: ShopSession) {
          try {
            return (await renew(stale)) !== undefined;
          } catch (refreshError) {
            // Refused: the session is over, and the stream's own error says so. Anything else is the news.
            if (isUnauthenticated(refreshError)) return false;
            throw refreshError;
          }
        },
      },
      document,
      variables,
    );
  }

  return {
    request,
    requestInParts,
    subscribe,
    async login(email, password) {
      const { login } = await request(LoginDocument, { email, password });
      adopt(login);
      return login;
    },
    async register(input) {
      const { register } = await request(RegisterDocument, { input });
      adopt(register);
      return register;
    },
    async refreshSession() {
      if (!session) throw new Error('The client holds no session to refresh: sign in first');
      const fresh = await renew(session);
      if (!fresh) throw new Error('The session changed while it was being refreshed');
      return fresh;
    },
    async changePassword(currentPassword, newPassword) {
      return (await request(ChangePasswordDocument, { currentPassword, newPassword })).changePassword;
    },
    signOut() {
      const ending = session;
      const endingToken = token;
      hold(undefined);
      if (endingToken === undefined) return Promise.resolve();
      const ended = endOnServer(ending, endingToken);
      // signOut was synchronous once, and callers that still do not wait must not crash the
      // process with an unhandled rejection; a caller that awaits `ended` still gets the error.
      ended.catch(() => undefined);
      return ended;
    },
    async signOutEverywhere() {
      await request(SignOutEverywhereDocument);
    },
    async deleteMe(currentPassword) {
      await request(DeleteMeDocument, { currentPassword });
    },
    setSession(next) {
      hold(next ? sessionOf(next) : undefined);
    },
    get session() {
      return session;
    },
    get token() {
      return token;
    },
  };
}

/** The session part of an AuthPayload (it carries the user too, which the session does not need). */
function sessionOf({ token, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt }: ShopSession): ShopSession {
  return { token, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt };
}

function expiresSoon(session: ShopSession): boolean {
  const expiresAt = Date.parse(session.accessTokenExpiresAt);
  // An expiry the client cannot read is left for the server to judge.
  return !Number.isNaN(expiresAt) && expiresAt - EXPIRY_MARGIN_MS <= Date.now();
}

/**
 * The whole request refused for its token (HTTP 401): worth a refresh. A field's UNAUTHENTICATED
 * (a wrong current password, HTTP 200) is not: retrying would send the password again, and run
 * again the fields of the request that succeeded.
 */
function isTokenRefused(error: unknown): boolean {
  return error instanceof ShopError && error.status === 401 && isUnauthenticated(error);
}

function isUnauthenticated(error: unknown): boolean {
  return error instanceof ShopError && error.errors.some((graphQLError) => graphQLError.code === 'UNAUTHENTICATED');
}

/** The refresh token in RefreshSession's variables. */
function refreshTokenOf(variables: unknown): string | undefined {
  if (typeof variables !== 'object' || variables === null || !('refreshToken' in variables)) return undefined;
  return typeof variables.refreshToken === 'string' ? variables.refreshToken : undefined;
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
