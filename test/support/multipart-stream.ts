import type { GraphQLStreamResult, SubscribeOptions } from './event-stream.js';
import { streamWaiter } from './stream-waiter.js';

/** What Apollo Client (and Sandbox) sends for a subscription over HTTP. */
export const APOLLO_MULTIPART_ACCEPT = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json';

/**
 * One part of Apollo's multipart subscription response, its JSON as sent: `{ payload }` for a
 * result, `{ payload: null, errors }` for the server's own reason for ending the stream.
 */
export interface MultipartPart {
  payload?: GraphQLStreamResult | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

export interface MultipartStream {
  status: number;
  contentType: string | null;
  /**
   * Events whose bytes had all come that a client still could not read, as no boundary followed
   * them yet: Apollo Client reads a part once the next boundary comes, so the server must send
   * it right after each part, not before the next one (up to a heartbeat later).
   */
  held: MultipartPart[];
  /** The next part that is not a heartbeat (`{}`); fails after `timeoutMs`, or when the stream ended first. */
  next(timeoutMs?: number): Promise<MultipartPart>;
  /** Resolves when the closing boundary came; fails after `timeoutMs`. */
  ended(timeoutMs?: number): Promise<void>;
  close(): void;
}

/**
 * A subscription over Apollo's multipart HTTP protocol (a POST with
 * `Accept: multipart/mixed;subscriptionSpec=1.0`), read raw and split at the response's boundary
 * as Apollo Client's multipart link splits it, so a test sees each part when such a client does.
 */
export async function subscribeMultipart(url: string, query: string, options: SubscribeOptions = {}): Promise<MultipartStream> {
  const aborting = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      accept: APOLLO_MULTIPART_ACCEPT,
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
    signal: aborting.signal,
  });
  const contentType = response.headers.get('content-type');
  // As Apollo Client's multipart link reads it: a part ends where `\r\n--boundary` follows it.
  const delimiter = `\r\n--${/boundary="?([^";]+)"?/.exec(contentType ?? '')?.[1] ?? '-'}`;
  const parts: MultipartPart[] = [];
  const held: MultipartPart[] = [];
  let closingBoundary = false;
  let done = false;
  const { wake, waitFor } = streamWaiter();

  /** The JSON of one part (its headers, a blank line, the JSON); undefined for what precedes the first boundary. */
  const bodyOf = (message: string): MultipartPart | undefined => {
    const separator = message.indexOf('\r\n\r\n');
    if (separator < 0) return undefined;
    const json = message.slice(separator + 4).trim();
    return json === '' ? undefined : (JSON.parse(json) as MultipartPart);
  };
  /** Takes every part a client can read off the front of `buffered`; returns what is left. */
  const takeParts = (buffered: string): string => {
    for (let end = buffered.indexOf(delimiter); end >= 0 && !closingBoundary; end = buffered.indexOf(delimiter)) {
      const part = bodyOf(buffered.slice(0, end));
      buffered = buffered.slice(end + delimiter.length);
      if (buffered.startsWith('--')) closingBoundary = true;
      if (part && Object.keys(part).length > 0) parts.push(part);
    }
    return buffered;
  };
  /** What a client holds unread once a chunk is taken: a whole event that no boundary follows yet. */
  const heldBack = (buffered: string): MultipartPart | undefined => {
    try {
      const part = bodyOf(buffered);
      return part && Object.keys(part).length > 0 ? part : undefined;
    } catch {
      return undefined; // Not whole yet: the rest of it is on its way.
    }
  };

  if (response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffered = '';
      const reader = response.body!.getReader();
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          buffered = takeParts(buffered + decoder.decode(chunk.value, { stream: true }));
          const unread = heldBack(buffered);
          if (unread) held.push(unread);
          wake();
        }
      } catch {
        // Closed by the test.
      } finally {
        done = true;
        wake();
      }
    })();
  }

  return {
    status: response.status,
    contentType,
    held,
    async next(timeoutMs = 10_000) {
      await waitFor(() => parts.length > 0 || done || closingBoundary, timeoutMs);
      const part = parts.shift();
      if (part) return part;
      throw new Error(done || closingBoundary ? 'the stream ended before another part' : `no part within ${timeoutMs} ms`);
    },
    async ended(timeoutMs = 10_000) {
      if (!(await waitFor(() => closingBoundary, timeoutMs))) throw new Error(`no closing boundary within ${timeoutMs} ms`);
    },
    close() {
      aborting.abort();
    },
  };
}
