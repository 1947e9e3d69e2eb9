import { createClient, NetworkError, type ExecutionResult } from 'graphql-sse';
import { Agent, fetch, type RequestInfo, type RequestInit } from 'undici';
import { DependencyUnavailable, isErrorCode } from '@shop/service-kit';
import type { GraphQLFormattedError } from 'graphql';

/** What a subgraph's subscription sent, one at a time. */
export type SubgraphEvent =
  /** One result of the subscription, as the subgraph sent it; `receivedAt` is a performance.now() reading. */
  | { kind: 'result'; result: ExecutionResult; receivedAt: number }
  /** The subgraph completed the subscription (or the gateway closed it). */
  | { kind: 'complete' }
  /** The stream broke off: reset, timed out between heartbeats, or not an event stream. */
  | { kind: 'lost'; error: unknown }
  /** More events waited than may wait (the client or the joins fell behind): the stream was closed. */
  | { kind: 'overflow' };

/** A subscription open on a subgraph. After its last event (anything but a result), next() repeats it. */
export interface SubgraphStream {
  next(): Promise<SubgraphEvent>;
  /** Ends it (the subgraph sees its connection close); idempotent. */
  close(): void;
}

/** The subgraph refused the subscription with coded GraphQL errors of its own (a 4xx with a GraphQL body). */
export class SubgraphRefusal extends Error {
  constructor(
    readonly subgraph: string,
    readonly errors: readonly GraphQLFormattedError[],
  ) {
    super(`${subgraph} refused the subscription`);
    this.name = 'SubgraphRefusal';
  }
}

export interface SubgraphStreamOptions {
  /** Longest the subgraph may take to answer a subscription with its stream's headers. */
  openTimeoutMs: number;
  /** Longest a stream may stay silent (no event, no heartbeat) before it counts as lost. */
  idleTimeoutMs: number;
  /** Events received and not yet delivered, per stream, at most; past it the stream is closed (overflow). */
  maxPendingEvents: number;
}

/** What opens one subscription: where, what, with which headers. */
export interface SubgraphStreamRequest {
  subgraph: string;
  url: string;
  headers: Record<string, string>;
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

/**
 * Subscriptions on subgraphs over GraphQL over SSE, distinct connections mode, with The Guild's
 * graphql-sse client (what the orders subgraph and the graphql-sse handler serve: a POST to the
 * subgraph's GraphQL endpoint with `Accept: text/event-stream`). Streams have their own undici
 * pool: the subgraph client's deadline bounds whole calls, which a stream outlives by design;
 * here a stream is bounded by its silence instead (the graphql-sse handler sends a heartbeat
 * every 12 s). The client never retries: a lost stream is reported, and the gateway's client
 * subscribes again.
 */
export function subgraphStreams(options: SubgraphStreamOptions) {
  const agent = new Agent({
    headersTimeout: options.openTimeoutMs,
    bodyTimeout: options.idleTimeoutMs,
    connectTimeout: Math.min(options.openTimeoutMs, 5_000),
  });
  const fetchThroughAgent = (input: RequestInfo, init?: RequestInit) => fetch(input, { ...init, dispatcher: agent });

  return {
    /** Opens the subscription; resolves once the subgraph answered with its event stream, else rejects (SubgraphRefusal or DependencyUnavailable). */
    open(request: SubgraphStreamRequest): Promise<SubgraphStream> {
      const client = createClient({ url: request.url, headers: request.headers, fetchFn: fetchThroughAgent, retryAttempts: 0 });
      const pending: SubgraphEvent[] = [];
      let last: SubgraphEvent | undefined;
      let wake: (() => void) | undefined;
      let stop = () => {};
      const settle = (event: SubgraphEvent) => {
        if (last) return;
        if (event.kind === 'result') {
          if (pending.length < options.maxPendingEvents) {
            pending.push(event);
            wake?.();
            return;
          }
          // Delivering what waits would only delay the end: it goes, and the overflow is said at once.
          pending.length = 0;
          event = { kind: 'overflow' };
        }
        last = event;
        stop();
        client.dispose();
        wake?.();
      };
      const stream: SubgraphStream = {
        async next() {
          while (pending.length === 0 && !last) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          return pending.shift() ?? last!;
        },
        close: () => settle({ kind: 'complete' }),
      };
      return new Promise<SubgraphStream>((resolve, reject) => {
        let opened = false;
        const refuse = (error: Error) => {
          clearTimeout(deadline);
          stream.close();
          reject(error);
        };
        const deadline = setTimeout(() => refuse(new DependencyUnavailable(request.subgraph, `did not open the subscription within ${options.openTimeoutMs} ms`)), options.openTimeoutMs);
        stop = client.subscribe<Record<string, unknown>, Record<string, unknown>>(
          { query: request.query, variables: request.variables, ...(request.operationName ? { operationName: request.operationName } : {}) },
          {
            next: (result) => settle({ kind: 'result', result, receivedAt: performance.now() }),
            error: (error: unknown) => {
              if (opened) settle({ kind: 'lost', error });
              else void refusalOf(request.subgraph, error).then(refuse);
            },
            complete: () => settle({ kind: 'complete' }),
          },
          {
            connected: () => {
              opened = true;
              clearTimeout(deadline);
              resolve(stream);
            },
          },
        );
      });
    },
    /** Closes every stream's connection at once (the gateway has drained: what is left is cut off). */
    close: () => agent.destroy(),
  };
}

export type SubgraphStreams = ReturnType<typeof subgraphStreams>;

/**
 * Why a subscription did not open, sorted as a subgraph call's answer is (subgraph-data-source.ts):
 * a 4xx whose body is GraphQL errors that all carry a public code is the subgraph's own verdict;
 * anything else (refused, reset, 5xx, another body) is the subgraph being unavailable.
 */
async function refusalOf(subgraph: string, error: unknown): Promise<Error> {
  const response = error instanceof NetworkError ? (error.response as Response | undefined) : undefined;
  if (!response) return new DependencyUnavailable(subgraph, 'gave no event stream', { cause: error });
  if (response.status >= 500) return new DependencyUnavailable(subgraph, `answered HTTP ${response.status}`);
  const errors = await response
    .json()
    .then((body: unknown) => (typeof body === 'object' && body !== null && 'errors' in body && Array.isArray(body.errors) ? (body.errors as unknown[]) : []))
    .catch(() => []);
  const coded = errors.length > 0 && errors.every((item) => typeof item === 'object' && item !== null && typeof (item as GraphQLFormattedError).message === 'string' && isErrorCode((item as GraphQLFormattedError).extensions?.code));
  return coded ? new SubgraphRefusal(subgraph, errors as GraphQLFormattedError[]) : new DependencyUnavailable(subgraph, `answered HTTP ${response.status} without coded GraphQL errors`, { countsAgainstBreaker: false });
}
