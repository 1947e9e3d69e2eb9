import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { DependencyUnavailable, isErrorCode } from '@shop/service-kit';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';

/** What a subgraph's subscription sent, one at a time. */
export type SubgraphEvent =
  /** One result of the subscription, as the subgraph sent it; `receivedAt` is a performance.now() reading. */
  | { kind: 'result'; result: FormattedExecutionResult; receivedAt: number }
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
 * Subscriptions on subgraphs over GraphQL over SSE, distinct connections mode (what the orders
 * subgraph and The Guild's graphql-sse handler serve: a POST to the subgraph's GraphQL endpoint
 * with `Accept: text/event-stream`; `next` events carry a result, `complete` ends it, comments are
 * heartbeats). Read with undici's `request()` and eventsource-parser rather than a fetch-based
 * client: an idle stream is then a Node stream and a parser, several times less heap than a web
 * stream's machinery, which thousands of idle subscriptions multiply. Streams have their own undici
 * pool: the subgraph client's deadline bounds whole calls, which a stream outlives by design;
 * here a stream is bounded by its silence instead (undici's body timeout; the graphql-sse handler
 * sends a heartbeat every 12 s). Nothing is retried: a lost stream is reported, and the gateway's
 * client subscribes again.
 */
export function subgraphStreams(options: SubgraphStreamOptions) {
  const agent = new Agent({
    headersTimeout: options.openTimeoutMs,
    bodyTimeout: options.idleTimeoutMs,
    connectTimeout: Math.min(options.openTimeoutMs, 5_000),
  });

  return {
    /** Opens the subscription; resolves once the subgraph answered with its event stream, else rejects (SubgraphRefusal or DependencyUnavailable). */
    async open(request: SubgraphStreamRequest): Promise<SubgraphStream> {
      const abort = new AbortController();
      let timedOut: DependencyUnavailable | undefined;
      // The whole opening (connecting, the headers, a refusal's body) within the bound, not each step within it.
      const deadline = setTimeout(() => {
        timedOut = new DependencyUnavailable(request.subgraph, `did not open the subscription within ${options.openTimeoutMs} ms`);
        abort.abort(timedOut);
      }, options.openTimeoutMs);
      try {
        const response = await undiciRequest(request.url, {
          dispatcher: agent,
          method: 'POST',
          // graphql-sse's client sends these last, so a forwarded header cannot change what is asked for.
          headers: { ...request.headers, 'content-type': 'application/json; charset=utf-8', accept: 'text/event-stream' },
          body: JSON.stringify({ query: request.query, variables: request.variables, ...(request.operationName ? { operationName: request.operationName } : {}) }),
          signal: abort.signal,
        });
        if (isEventStream(response)) return eventStream(request.subgraph, response.body, options.maxPendingEvents);
        throw await refusalOf(request.subgraph, response);
      } catch (error) {
        if (timedOut) throw timedOut;
        if (error instanceof SubgraphRefusal || error instanceof DependencyUnavailable) throw error;
        throw new DependencyUnavailable(request.subgraph, 'gave no event stream', { cause: error });
      } finally {
        clearTimeout(deadline);
      }
    },
    /** Closes every stream's connection at once (the gateway has drained: what is left is cut off). */
    close: () => agent.destroy(),
  };
}

export type SubgraphStreams = ReturnType<typeof subgraphStreams>;

function isEventStream(response: Dispatcher.ResponseData): boolean {
  const contentType = response.headers['content-type'];
  const mediaType = (Array.isArray(contentType) ? contentType[0] : contentType)?.split(';')[0]?.trim().toLowerCase();
  return response.statusCode >= 200 && response.statusCode < 300 && mediaType === 'text/event-stream';
}

/** The longest event (its data lines together) a subgraph may send: a shop's event is a few KB. */
const MAX_EVENT_CHARS = 1_048_576;

/**
 * The stream of an opened subscription: the body's events parsed as they come, held (up to
 * `maxPendingEvents`) until `next()` takes them. Its end (anything but a result) destroys the body,
 * which closes the connection: the subgraph sees the subscription go.
 */
function eventStream(subgraph: string, body: Dispatcher.ResponseData['body'], maxPendingEvents: number): SubgraphStream {
  const pending: SubgraphEvent[] = [];
  let last: SubgraphEvent | undefined;
  let wake: (() => void) | undefined;
  const settle = (event: SubgraphEvent) => {
    if (last) return;
    if (event.kind === 'result') {
      if (pending.length < maxPendingEvents) {
        pending.push(event);
        wake?.();
        return;
      }
      // Delivering what waits would only delay the end: it goes, and the overflow is said at once.
      pending.length = 0;
      event = { kind: 'overflow' };
    }
    last = event;
    body.destroy();
    wake?.();
  };
  const parser = createParser({
    onEvent: (message) => settle(eventOf(subgraph, message)),
    // An event the gateway would hold whole before parsing it: bounded, as a subgraph that streams without end would take the heap.
    maxBufferSize: MAX_EVENT_CHARS,
    onError: (error) => settle({ kind: 'lost', error }),
  });
  // A character may span two chunks: the decoder holds its first bytes until the rest come.
  const decoder = new StringDecoder('utf8');
  body.on('data', (chunk: Buffer) => parser.feed(decoder.write(chunk)));
  body.on('end', () => settle({ kind: 'lost', error: new Error(`${subgraph} ended its event stream without completing the subscription`) }));
  // Also what a body timeout (silence past the idle bound) and a reset come as; after settling, destroy's own error is ignored.
  body.on('error', (error) => settle({ kind: 'lost', error }));
  return {
    async next() {
      while (pending.length === 0 && !last) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      return pending.shift() ?? last!;
    },
    close: () => settle({ kind: 'complete' }),
  };
}

/** One message of GraphQL over SSE as an event: `next` with a result (JSON), `complete`; anything else breaks the protocol. */
function eventOf(subgraph: string, message: EventSourceMessage): SubgraphEvent {
  if (message.event === 'complete') return { kind: 'complete' };
  if (message.event !== 'next') return { kind: 'lost', error: new Error(`${subgraph} sent an event GraphQL over SSE has not: ${message.event ?? '(unnamed)'}`) };
  let result: unknown;
  try {
    result = JSON.parse(message.data);
  } catch (error) {
    return { kind: 'lost', error: new Error(`${subgraph} sent a next event whose data is not JSON`, { cause: error }) };
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return { kind: 'lost', error: new Error(`${subgraph} sent a next event whose data is not a GraphQL result`) };
  return { kind: 'result', result, receivedAt: performance.now() };
}

/**
 * Why a subscription did not open, sorted as a subgraph call's answer is (subgraph-data-source.ts):
 * a 4xx whose body is GraphQL errors that all carry a public code is the subgraph's own verdict;
 * anything else (5xx, another body, a success that is no event stream) is the subgraph being
 * unavailable. Every body is consumed or dumped: one left unread holds its connection.
 */
async function refusalOf(subgraph: string, response: Dispatcher.ResponseData): Promise<Error> {
  const { statusCode, body } = response;
  if (statusCode >= 500 || statusCode < 300) {
    void body.dump().catch(() => undefined);
    return new DependencyUnavailable(subgraph, statusCode < 300 ? `answered HTTP ${statusCode} without an event stream` : `answered HTTP ${statusCode}`);
  }
  const errors = await body
    .json()
    .then((parsed: unknown) => (typeof parsed === 'object' && parsed !== null && 'errors' in parsed && Array.isArray(parsed.errors) ? (parsed.errors as unknown[]) : []))
    .catch(() => []);
  const coded = errors.length > 0 && errors.every((item) => typeof item === 'object' && item !== null && typeof (item as GraphQLFormattedError).message === 'string' && isErrorCode((item as GraphQLFormattedError).extensions?.code));
  return coded ? new SubgraphRefusal(subgraph, errors as GraphQLFormattedError[]) : new DependencyUnavailable(subgraph, `answered HTTP ${statusCode} without coded GraphQL errors`, { countsAgainstBreaker: false });
}
