import { createClient, NetworkError, type ExecutionResult, type RequestParams } from 'graphql-sse';
import type { TypedDocumentString } from './__generated__/graphql.js';
import { ShopError, ShopNetworkError, toShopGraphQLError } from './errors.js';

/**
 * One subscription: an async iterable of the operation's typed results, one per event. Breaking
 * out of a `for await` loop (or `close()`) closes the stream. The iteration throws ShopError when
 * the server ends the stream with an error it should not be resubscribed after (FORBIDDEN,
 * NOT_FOUND, RATE_LIMITED, …), and ShopNetworkError when the server stays out of reach past the
 * retries.
 */
export interface ShopSubscription<TResult> extends AsyncIterator<TResult, undefined> {
  next(): Promise<IteratorResult<TResult, undefined>>;
  /** Closes the stream, as `close()` does: what a `for await` loop calls when it is broken out of. */
  return(): Promise<IteratorReturnResult<undefined>>;
  [Symbol.asyncIterator](): ShopSubscription<TResult>;
  /** Closes the stream: a loop over it ends (a `next()` waiting for an event resolves as done). */
  close(): Promise<void>;
  /** The id of the last event received (`extensions.eventId`): what a resubscription resumes after. */
  readonly lastEventId: string | undefined;
}

/** How a subscription resubscribes after a dropped connection or a stream the server ended with a code that says to. */
export interface SubscriptionRetryOptions {
  /** Resubscriptions in a row (with no event between them) before the error is thrown. Default 8. */
  attempts?: number;
  /** The first wait; each attempt in a row doubles it (with jitter), up to `maxDelayMs`. Default 500 ms. */
  initialDelayMs?: number;
  /** The longest wait between attempts. Default 15 s. */
  maxDelayMs?: number;
}

/** The stream-ending reasons (`extensions.reason`, with SERVICE_UNAVAILABLE) after which the SDK subscribes again by itself. */
export const RESUBSCRIBE_REASONS: ReadonlySet<string> = new Set(['SUPERGRAPH_RELOADED', 'SHUTTING_DOWN', 'SUBGRAPH_STREAM_LOST', 'SUBSCRIPTIONS_FULL']);

/** What a subscription needs of the client that opened it. */
export interface SubscriptionHost<TSession> {
  url: string;
  fetch: typeof globalThis.fetch;
  byHash: boolean;
  retry: Required<SubscriptionRetryOptions>;
  /** The access token to subscribe with now (renewed first when it is known to be expired), and the session it belongs to, if any. */
  credentials(): Promise<{ token: string | undefined; session: TSession | undefined }>;
  /** Renews `session` after its token was refused: true to subscribe again, false to give up (the refusal is thrown). */
  renewAfterRefusal(session: TSession): Promise<boolean>;
}

export const PERSISTED_QUERY_MISSES: ReadonlySet<string> = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/** Whether the operation declares `$after`, the event id to resume after. */
const declaresAfter = (text: string) => /\(\s*[^)]*\$after\s*:/.test(text);

/** How one connection ended: completed by the server, closed by the client, or failed. */
type Outcome = { kind: 'completed' } | { kind: 'closed' } | { kind: 'failed'; error: ShopError | ShopNetworkError };

export function openSubscription<TResult, TVariables, TSession>(
  host: SubscriptionHost<TSession>,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables | undefined,
): ShopSubscription<TResult> {
  const text = document.toString();
  const hash: unknown = document.__meta__?.hash;
  const resumable = declaresAfter(text);
  const stop = new AbortController();
  /** Whether the subscription was closed (a function: it changes across awaits). */
  const stopped = () => stop.signal.aborted;
  let lastEventId: string | undefined;
  let sendText = !host.byHash || typeof hash !== 'string';
  let bearer: string | undefined;
  // One graphql-sse client, distinct connections mode, its own retries off: a retry must resume
  // with the latest event id and token, so this module resubscribes itself.
  const sse = createClient({
    url: host.url,
    fetchFn: host.fetch,
    retryAttempts: 0,
    headers: (): Record<string, string> => (bearer ? { authorization: `Bearer ${bearer}` } : {}),
  });

  function request(): RequestParams {
    const sent = { ...(variables ?? {}), ...(resumable && lastEventId !== undefined ? { after: lastEventId } : {}) };
    const body = { ...(Object.keys(sent).length > 0 ? { variables: sent } : {}) };
    if (sendText) return { query: text, ...body };
    // graphql-sse sends the request as it is given: by hash alone, the body has no `query`.
    return { ...body, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } } as unknown as RequestParams;
  }

  /** One connection: yields each event's data until the stream ends, and returns how it ended. */
  async function* connection(): AsyncGenerator<TResult, Outcome> {
    const results = sse.iterate<TResult, { eventId?: unknown }>(request());
    const onStop = () => void results.return?.();
    stop.signal.addEventListener('abort', onStop);
    try {
      for (;;) {
        let step: IteratorResult<ExecutionResult<TResult, { eventId?: unknown }>>;
        try {
          step = await results.next();
        } catch (error) {
          if (stop.signal.aborted) return { kind: 'closed' };
          return { kind: 'failed', error: await networkError(error) };
        }
        if (stop.signal.aborted) return { kind: 'closed' };
        if (step.done) return { kind: 'completed' };
        const result = step.value;
        if (result.errors && result.errors.length > 0) {
          return { kind: 'failed', error: new ShopError(result.errors.map(toShopGraphQLError), result.data ?? null, 200) };
        }
        const eventId = result.extensions?.eventId;
        if (typeof eventId === 'string' || typeof eventId === 'number') lastEventId = String(eventId);
        if (result.data !== undefined && result.data !== null) yield result.data;
      }
    } finally {
      stop.signal.removeEventListener('abort', onStop);
      await results.return?.();
    }
  }

  const networkError = (error: unknown) => streamFailure(host.url, error);

  async function* run(): AsyncGenerator<TResult, undefined> {
    try {
      yield* resubscribing();
    } finally {
      sse.dispose();
    }
  }

  async function* resubscribing(): AsyncGenerator<TResult, undefined> {
    /** Resubscriptions in a row without an event between them. */
    let failures = 0;
    /** Whether the session was renewed since the last event. */
    let renewed = false;
    for (;;) {
      const { token, session } = await host.credentials();
      if (stopped()) return;
      bearer = token;
      const before = lastEventId;
      const outcome = yield* connection();
      if (lastEventId !== before) {
        failures = 0;
        renewed = false;
      }
      if (outcome.kind === 'closed' || outcome.kind === 'completed') return;
      const { error } = outcome;
      if (error instanceof ShopError && error.errors.some((each) => PERSISTED_QUERY_MISSES.has(each.code)) && !sendText) {
        // The server does not know the hash: the text, as queries fall back to.
        sendText = true;
        continue;
      }
      if (error instanceof ShopError && error.code === 'UNAUTHENTICATED' && session !== undefined) {
        // A stream the server ended (it says why: the token expired while it was open) was
        // accepted with that token, so its renewal is due again; a refusal at subscribe right
        // after a renewal is final.
        if (error.errors[0]?.reason !== undefined) renewed = false;
        if (!renewed) {
          renewed = true;
          if (await host.renewAfterRefusal(session)) continue;
        }
        throw error;
      }
      const retryable = error instanceof ShopNetworkError ? error.status === undefined || error.status >= 500 : isResubscribe(error);
      if (!retryable) throw error;
      if (failures >= host.retry.attempts) throw error;
      await sleep(backoff(host.retry, failures), stop.signal);
      failures += 1;
      if (stopped()) return;
    }
  }

  const iterator = run();
  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      stop.abort();
      await iterator.return(undefined);
    })();
    return closing;
  }
  return {
    next: () => iterator.next(),
    async return() {
      await close();
      return { done: true as const, value: undefined };
    },
    close,
    get lastEventId() {
      return lastEventId;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function isResubscribe(error: ShopError): boolean {
  return error.errors.some((each) => each.code === 'SERVICE_UNAVAILABLE' && each.reason !== undefined && RESUBSCRIBE_REASONS.has(each.reason));
}

/** The wait before attempt `failures` (0 for the first): exponential, with jitter so that streams a reload ended do not all come back at once. */
function backoff({ initialDelayMs, maxDelayMs }: Required<SubscriptionRetryOptions>, failures: number): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** failures);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** A graphql-sse stream that failed: a GraphQL error body when its HTTP answer has one, else the network failure. */
export async function streamFailure(url: string, error: unknown): Promise<ShopNetworkError | ShopError> {
  if (!(error instanceof NetworkError)) return new ShopNetworkError(`The event stream from ${url} failed`, undefined, { cause: error });
  const response = error.response as Response | undefined;
  if (!response) return new ShopNetworkError(`Could not reach the shop at ${url}`, undefined, { cause: error });
  const body = await response.text().then(
    (answer) => parseErrors(answer),
    () => undefined,
  );
  if (body) return new ShopError(body.map(toShopGraphQLError), null, response.status, retryAfter(response));
  return new ShopNetworkError(`The shop at ${url} answered HTTP ${response.status} without an event stream`, response.status, { cause: error });
}

function parseErrors(text: string): unknown[] | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return undefined;
    const { errors } = body as { errors?: unknown };
    return Array.isArray(errors) && errors.length > 0 ? errors : undefined;
  } catch {
    return undefined;
  }
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') ?? Number.NaN);
  return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : undefined;
}
