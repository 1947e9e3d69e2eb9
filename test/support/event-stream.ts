import { streamWaiter } from './stream-waiter.js';

/** One event of a GraphQL over SSE stream, as it came over the wire. */
export interface StreamEvent {
  event: string;
  /** The SSE `id:` field, when the event had one. */
  id?: string;
  data: GraphQLStreamResult | null;
}

export interface GraphQLStreamResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; reason?: string } }[];
  extensions?: { eventId?: string; committedAt?: string };
}

export interface EventStream {
  status: number;
  headers: Headers;
  /** The body of an answer that is not a stream (a refusal). */
  json?: unknown;
  /** The next event (comments skipped); fails after `timeoutMs`, or when the stream ended first. */
  next(timeoutMs?: number): Promise<StreamEvent>;
  /** Every event that arrives within `ms` (to show that nothing more comes). */
  within(ms: number): Promise<StreamEvent[]>;
  /** Resolves when the server ended the stream; fails after `timeoutMs`. */
  ended(timeoutMs?: number): Promise<void>;
  close(): void;
}

export interface SubscribeOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

/**
 * A subscription over GraphQL over SSE (distinct connections mode, POST), read raw, so a test sees
 * what a client gets: the `event:`, `id:` and `data:` fields of each message.
 */
export async function subscribe(url: string, query: string, options: SubscribeOptions = {}): Promise<EventStream> {
  const aborting = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
    signal: aborting.signal,
  });
  const queue: StreamEvent[] = [];
  const { wake, waitFor } = streamWaiter();
  let done = false;
  const reading = response.headers.get('content-type')?.startsWith('text/event-stream')
    ? (async () => {
        const decoder = new TextDecoder();
        let buffered = '';
        const reader = response.body!.getReader();
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
            buffered += decoder.decode(chunk.value, { stream: true });
            let end: number;
            while ((end = buffered.indexOf('\n\n')) >= 0) {
              const message = parseMessage(buffered.slice(0, end));
              buffered = buffered.slice(end + 2);
              if (message) queue.push(message);
              wake();
            }
          }
        } catch {
          // Closed by the test.
        } finally {
          done = true;
          wake();
        }
      })()
    : undefined;
  const json: unknown = reading ? undefined : await response.json().catch(() => undefined);

  return {
    status: response.status,
    headers: response.headers,
    json,
    async next(timeoutMs = 10_000) {
      await waitFor(() => queue.length > 0 || done, timeoutMs);
      const event = queue.shift();
      if (event) return event;
      throw new Error(done ? 'the stream ended before another event' : `no event within ${timeoutMs} ms`);
    },
    async within(ms) {
      await waitFor(() => false, ms);
      return queue.splice(0);
    },
    async ended(timeoutMs = 10_000) {
      if (!(await waitFor(() => done, timeoutMs))) throw new Error(`the stream did not end within ${timeoutMs} ms`);
    },
    close() {
      aborting.abort();
    },
  };
}

/** One SSE message's fields; null for a comment (a heartbeat). */
function parseMessage(text: string): StreamEvent | null {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields.set(name, value);
  }
  const event = fields.get('event');
  if (!event) return null;
  const data = fields.get('data');
  return { event, ...(fields.has('id') ? { id: fields.get('id')! } : {}), data: data ? (JSON.parse(data) as GraphQLStreamResult) : null };
}
