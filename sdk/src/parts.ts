import { createClient, type ExecutionResult, type RequestParams } from 'graphql-sse';
import type { TypedDocumentString } from './__generated__/graphql.js';
import { ShopError, ShopNetworkError, toShopGraphQLError } from './errors.js';
import { PERSISTED_QUERY_MISSES, streamFailure } from './subscriptions.js';

/**
 * One state of an answer in parts (an operation with `@defer`): the data so far, typed as the
 * operation's result, whose types already say which deferred fields may still be missing (`name?:
 * never` beside `name: string`), and whether every part has come.
 */
export interface AnswerInParts<TResult> {
  data: TResult;
  complete: boolean;
}

/** An answer in parts being read: its states, and `close()`, which ends it at once (a page left while a slow part is awaited). */
export interface PartsRequest<TResult> extends AsyncIterable<AnswerInParts<TResult>> {
  close(): void;
}

/** What an answer in parts needs of the client that asks for it. */
export interface PartsHost {
  url: string;
  fetch: typeof globalThis.fetch;
  byHash: boolean;
}

type Path = readonly (string | number)[];
/** A part as GraphQL over SSE carries it (Apollo's deferSpec=20220824 shape). */
type Part = ExecutionResult & { hasNext?: boolean; incremental?: { data: unknown; path: Path; errors?: unknown[] }[] };

/**
 * Runs `document` over GraphQL over SSE asking for its parts, and yields the data after each: the
 * first part, then the first part with each deferred fragment merged in at its path as it comes.
 * Once all have come, errors any part carried (a service down in a deferred part) are thrown as
 * ShopError with the data merged, as `request` throws a partial answer; an error in the first
 * part, before any data, is thrown at once. A stream that ends before its last part is a
 * ShopNetworkError. Aborting `signal` closes the stream; the iteration then ends.
 */
export async function* answerInParts<TResult, TVariables>(
  host: PartsHost,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables | undefined,
  token: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<AnswerInParts<TResult>, void, undefined> {
  const text = document.toString();
  const hash: unknown = document.__meta__?.hash;
  let sendText = !host.byHash || typeof hash !== 'string';
  /** Whether the reader closed it (a function: it changes across awaits). */
  const stopped = () => signal.aborted;
  const body = () => ({
    ...(variables ? { variables: variables as Record<string, unknown> } : {}),
    // graphql-sse sends the request as it is given: by hash alone, the body has no `query`.
    ...(sendText ? { query: text } : { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
  });
  for (;;) {
    if (stopped()) return;
    const sse = createClient({ url: host.url, fetchFn: host.fetch, retryAttempts: 0, headers: (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {}) });
    const onAbort = () => sse.dispose();
    signal.addEventListener('abort', onAbort);
    try {
      let data: unknown;
      const errors: unknown[] = [];
      let missed = false;
      let hasNext = false;
      try {
        for await (const part of sse.iterate(body() as RequestParams) as AsyncIterable<Part>) {
          errors.push(...(part.errors ?? []));
          if (data === undefined) {
            if (part.data === undefined || part.data === null) {
              const refusals = errors.map(toShopGraphQLError);
              // A server that has not got the document by its hash: send its text once.
              if (!sendText && refusals.some((error) => PERSISTED_QUERY_MISSES.has(error.code))) {
                missed = true;
                break;
              }
              throw new ShopError(refusals, null, 200);
            }
            data = part.data;
          }
          for (const entry of part.incremental ?? []) {
            errors.push(...(entry.errors ?? []));
            if (entry.data !== null) mergeAt(data, entry.path, entry.data);
          }
          hasNext = part.hasNext === true;
          yield { data: structuredClone(data) as TResult, complete: !hasNext };
        }
      } catch (error) {
        if (stopped()) return;
        if (error instanceof ShopError) throw error;
        throw await streamFailure(host.url, error);
      }
      if (stopped()) return;
      if (missed) {
        sendText = true;
        continue;
      }
      if (hasNext) throw new ShopNetworkError(`The answer in parts from ${host.url} ended before its last part`);
      if (errors.length > 0) throw new ShopError(errors.map(toShopGraphQLError), data ?? null, 200);
      return;
    } finally {
      signal.removeEventListener('abort', onAbort);
      sse.dispose();
    }
  }
}

/** Merges a deferred part's `data` into the answer at `path`, field by field (lists item by item); nothing where the path leads nowhere. */
function mergeAt(answer: unknown, path: Path, data: unknown): void {
  let target = answer;
  for (const step of path) target = typeof target === 'object' && target !== null ? (target as Record<string | number, unknown>)[step] : undefined;
  if (isObject(target) && isObject(data)) merge(target, data);
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (Array.isArray(existing) && Array.isArray(value)) existing.forEach((item, index) => isObject(item) && isObject(value[index]) && merge(item, value[index]));
    else if (isObject(existing) && isObject(value)) merge(existing, value);
    else target[key] = value;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
