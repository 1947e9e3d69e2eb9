import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { FormattedExecutionResult } from 'graphql';
import { metricsRegistry } from '@shop/service-kit';
import { createGatewayFromConfig, gatewayService } from '../gateway/src/service.js';
import { BOOKS, READERS, startLiveLibrary, type LiveLibrary } from './support/live-library.js';
import { eventually } from './support/poll.js';
import { testLogger } from './support/logger.js';
import { signToken } from './support/tokens.js';

/*
 * Federated subscriptions on a supergraph that is not the shop's (test/support/live-library.ts):
 * circulation's loans change, members and catalogue own who borrowed what. Clients speak GraphQL
 * over SSE to the gateway with The Guild's graphql-sse client (and by hand where the wire matters,
 * as for Apollo's multipart subscriptions);
 * the gateway subscribes on circulation with the same library and joins every event. Some speak
 * graphql-ws over WebSocket instead, with The Guild's graphql-ws client on `ws`.
 */

type Gateway = Awaited<ReturnType<typeof createGatewayFromConfig>>;
type Result = FormattedExecutionResult<Record<string, unknown>>;

const PER_CLIENT = 3;
const KID = 'live-library';
const LOAN = 'subscription Loan($id: ID!) { loanChanged(id: $id) { id status reader { name } book { title } } }';
/** What Apollo Client sends for a subscription over HTTP. */
const MULTIPART_ACCEPT = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json';

/** One subscription as a client sees it: its results so far, whether it ended, and how. */
interface Subscribed {
  results: Result[];
  /** Resolves with the result at `index` once it has come. */
  result(index: number): Promise<Result>;
  /** Resolves once the server completed the stream (rejects if it failed instead). */
  done: Promise<void>;
  completed(): boolean;
  /** The client leaves. */
  close(): void;
}

/** What a graphql-sse and a graphql-ws client have alike: subscribe with a sink, get back how to leave. */
interface Subscribable {
  subscribe(request: { query: string; variables: Record<string, unknown> }, sink: { next(result: unknown): void; error(error: unknown): void; complete(): void }): () => void;
}

/** Each result's errors as [code, reason]. */
const codesOf = (results: Result[]) => results.map((result) => result.errors?.map((error) => [error.extensions?.code, error.extensions?.reason]));

function subscribe(client: Subscribable, query: string, variables: Record<string, unknown> = {}): Subscribed {
  const results: Result[] = [];
  const waiting = new Set<() => void>();
  let completed = false;
  let finish: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (finish = { resolve, reject }));
  // Awaited by whoever needs it; never an unhandled rejection meanwhile.
  done.catch(() => undefined);
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        results.push(result as Result);
        for (const wake of waiting) wake();
      },
      error: (error) => finish?.reject(error),
      complete: () => {
        completed = true;
        finish?.resolve();
      },
    },
  );
  return {
    results,
    async result(index) {
      const deadline = Date.now() + 10_000;
      while (results.length <= index) {
        if (Date.now() > deadline) throw new Error(`no result ${index} within 10 s (got ${JSON.stringify(results)})`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiting.delete(wake);
            resolve();
          };
          waiting.add(wake);
          setTimeout(wake, 100);
        });
      }
      return results[index]!;
    },
    done,
    completed: () => completed,
    close: dispose,
  };
}

/** A GraphQL over SSE request by hand: the response's status and headers, and its text as read for `readMs` (or until `enough` says so). */
async function readStream(url: string, init: RequestInit, readMs: number, enough: (text: string) => boolean = () => false): Promise<{ status: number; contentType: string | null; text: string }> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  let text = '';
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const stop = setTimeout(() => controller.abort(), readMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (enough(text)) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(stop);
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text };
}

describe('federated subscriptions on any supergraph', () => {
  let library: LiveLibrary;
  let gateway: Gateway;
  let url: string;
  let dir: string;
  let supergraphPath: string;
  let signingKey: KeyObject;
  let jwks: string;
  const stops: (() => Promise<unknown>)[] = [];
  const clients: Client[] = [];

  const tokenOf = (sub: string, exp?: number) => signToken(signingKey, KID, { sub, role: 'CUSTOMER', ...(exp ? { exp } : {}) });
  const clientOf = (token?: string, base = url) => {
    const client = createClient({ url: `${base}/graphql`, headers: token ? { authorization: `Bearer ${token}` } : {}, retryAttempts: 0 });
    clients.push(client);
    return client;
  };
  const gatewayWith = async (settings: Record<string, string> = {}) => {
    const config = await gatewayService.loadConfig({
      NODE_ENV: 'test',
      METRICS_PORT: '0',
      RATE_LIMIT_REQUESTS: '1000000',
      SUPERGRAPH_PATH: supergraphPath,
      JWKS: jwks,
      SUBSCRIPTIONS_PER_CLIENT: String(PER_CLIENT),
      SUBSCRIPTION_HEARTBEAT_SECONDS: '1',
      SUBSCRIPTION_SESSION_CHECK_SECONDS: '1',
      ...settings,
    });
    const started = await createGatewayFromConfig(config, testLogger('gateway'), {});
    const base = await started.listen(0, '127.0.0.1');
    return { gateway: started, url: base };
  };
  /** How many of circulation's streams are open now. */
  const openStreams = () => library.streams.filter((stream) => stream.open).length;

  beforeAll(async () => {
    library = await startLiveLibrary();
    stops.push(() => library.close());
    dir = await mkdtemp(join(tmpdir(), 'live-library-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    supergraphPath = join(dir, 'supergraph.graphql');
    await writeFile(supergraphPath, library.supergraph);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    signingKey = privateKey;
    jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'EdDSA', use: 'sig' }] });
    ({ gateway, url } = await gatewayWith());
    stops.push(() => gateway.stop());
  });
  // Each test starts with nothing open: what a test opened and left is closed by then, or the wait fails.
  beforeEach(async () => {
    await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'the last test\'s subscriptions are closed');
  });
  afterAll(async () => {
    for (const client of clients) client.dispose();
    for (const stop of stops.reverse()) await stop();
  });


  /** A gateway of its own stopped while a client (made by `clientOn` for its URL) holds a subscription: the stop is not held, and the client's last word is SHUTTING_DOWN. */
  const expectEndedByShutdown = async (clientOn: (url: string) => Subscribable) => {
    const started = await gatewayWith();
    const subscription = subscribe(clientOn(started.url), LOAN, { id: 'l1' });
    await eventually(async () => started.gateway.openSubscriptions() === 1, 'it is open');
    const stopping = Date.now();
    await started.gateway.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    await subscription.done;
    expect(codesOf(subscription.results)).toEqual([[['SERVICE_UNAVAILABLE', 'SHUTTING_DOWN']]]);
  };
  it('joins each event with the entities other subgraphs own, as a query would, forwarding the token and request id to the subgraph', async () => {
    const token = await tokenOf('reader-1');
    const subscription = subscribe(clientOf(token), LOAN, { id: 'l1' });
    await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
    library.change('l2', 'OVERDUE');
    library.change('l1', 'OVERDUE');
    library.change('l1', 'RETURNED');
    expect(await subscription.result(0)).toEqual({ data: { loanChanged: { id: 'l1', status: 'OVERDUE', reader: { name: READERS[0]!.name }, book: { title: BOOKS[0]!.title } } } });
    expect(await subscription.result(1)).toEqual({ data: { loanChanged: { id: 'l1', status: 'RETURNED', reader: { name: READERS[0]!.name }, book: { title: BOOKS[0]!.title } } } });
    const stream = library.streams.at(-1)!;
    expect(stream.operation).toContain('loanChanged');
    expect(stream.headers.authorization).toBe(`Bearer ${token}`);
    expect(stream.headers['x-request-id']).toMatch(/^[\w.:-]+$/);
    subscription.close();
    await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'the subgraph stream closes once the client leaves');
  });

  it("completes the client's stream when the subgraph completes the subscription", async () => {
    const subscription = subscribe(clientOf(), LOAN, { id: 'l2' });
    await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
    library.completeAll();
    await subscription.done;
    expect(subscription.results).toEqual([]);
    await eventually(async () => gateway.openSubscriptions() === 0, 'the gateway lets it go');
  });

  it('serves GET with the request in the query string, a query as one event then complete', async () => {
    const search = new URLSearchParams({ query: '{ books { title } }' });
    const { status, contentType, text } = await readStream(`${url}/graphql?${search}`, { headers: { accept: 'text/event-stream' } }, 5_000);
    expect(status).toBe(200);
    expect(contentType).toBe('text/event-stream; charset=utf-8');
    expect(text).toBe(`event: next\ndata: ${JSON.stringify({ data: { books: BOOKS.map(({ title }) => ({ title })) } })}\n\nevent: complete\ndata:\n\n`);
  });

  it('subscribes with GET too, and refuses a mutation sent with GET', async () => {
    const search = new URLSearchParams({ query: LOAN, variables: JSON.stringify({ id: 'l1' }) });
    const reading = readStream(`${url}/graphql?${search}`, { headers: { accept: 'text/event-stream' } }, 5_000, (text) => text.includes('event: next'));
    await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
    library.change('l1', 'RENEWED');
    const { text } = await reading;
    expect(text).toContain('event: next\ndata: {"data":{"loanChanged":{"id":"l1","status":"RENEWED"');
    const refused = await readStream(`${url}/graphql?${new URLSearchParams({ query: 'mutation { __typename }' })}`, { headers: { accept: 'text/event-stream' } }, 5_000);
    expect(refused.text).toMatch(/^event: next\ndata: .*"code":"BAD_USER_INPUT".*\n\nevent: complete\ndata:\n\n$/s);
  });

  it('sends a heartbeat while no event comes, so proxies keep the stream open', async () => {
    const { text } = await readStream(
      `${url}/graphql`,
      { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: JSON.stringify({ query: LOAN, variables: { id: 'l2' } }) },
      1_500,
    );
    // The first at once, then one a second (SUBSCRIPTION_HEARTBEAT_SECONDS=1).
    expect(text.split(':\n\n').length - 1).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain('event:');
  });

  it("serves Apollo's multipart HTTP subscriptions: each joined event a payload part, heartbeats as `{}` parts, each part ending with its boundary, `--` at the end", async () => {
    const reading = readStream(
      `${url}/graphql`,
      { method: 'POST', headers: { accept: MULTIPART_ACCEPT, 'content-type': 'application/json' }, body: JSON.stringify({ query: LOAN, variables: { id: 'l1' } }) },
      10_000,
      (text) => text.endsWith('--graphql--\r\n'),
    );
    await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
    library.change('l1', 'OVERDUE');
    await eventually(async () => gateway.openSubscriptions() === 1, 'it stays open after its event');
    library.completeAll();
    const { status, contentType, text } = await reading;
    expect(status).toBe(200);
    expect(contentType).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    // Apollo Router's framing: a boundary first, then each part closed by the next one, so a client reads each at once.
    const heartbeat = '\r\ncontent-type: application/json\r\n\r\n{}\r\n--graphql';
    expect(text.startsWith(`\r\n--graphql${heartbeat}`)).toBe(true);
    const event = { data: { loanChanged: { id: 'l1', status: 'OVERDUE', reader: { name: READERS[0]!.name }, book: { title: BOOKS[0]!.title } } } };
    expect(text.replaceAll(heartbeat, '')).toBe(`\r\n--graphql\r\ncontent-type: application/json\r\n\r\n${JSON.stringify({ payload: event })}\r\n--graphql--\r\n`);
    await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'both ends let it go');
  });

  it("over multipart, says why the gateway ended a stream as a transport-level error, and a refusal as the payload's errors", async () => {
    const reading = readStream(
      `${url}/graphql`,
      { method: 'POST', headers: { accept: 'multipart/mixed;subscriptionSpec="1.0", application/json', 'content-type': 'application/json' }, body: JSON.stringify({ query: LOAN, variables: { id: 'l2' } }) },
      10_000,
      (text) => text.endsWith('--graphql--\r\n'),
    );
    await eventually(async () => gateway.openSubscriptions() === 1, 'it is open');
    await writeFile(supergraphPath, `${library.supergraph}\n# served again for multipart\n`);
    await gateway.reloadSupergraph();
    const parts = (await reading).text.split('--graphql').map((chunk) => chunk.split('\r\n\r\n')[1]?.trim()).filter((json) => json !== undefined && json !== '{}');
    expect(parts.map((json) => JSON.parse(json!) as unknown)).toEqual([
      { payload: null, errors: [{ message: expect.any(String) as string, extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'SUPERGRAPH_RELOADED' } }] },
    ]);
    await eventually(async () => openStreams() === 0, 'its subgraph stream closes');

    const denied = await readStream(
      `${url}/graphql`,
      { method: 'POST', headers: { accept: MULTIPART_ACCEPT, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'subscription { desk { id } }' }) },
      5_000,
    );
    expect(denied.text).toMatch(/^\r\n--graphql\r\ncontent-type: application\/json\r\n\r\n\{"payload":\{"errors":\[.*"code":"UNAUTHENTICATED".*\]\}\}\r\n--graphql--\r\n$/s);
  });

  it("passes a reconnecting EventSource's Last-Event-ID to the subgraph's stream, so it resumes after that event", async () => {
    const open = (lastEventId: string) =>
      readStream(
        `${url}/graphql`,
        { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json', 'last-event-id': lastEventId }, body: JSON.stringify({ query: LOAN, variables: { id: 'l1' } }) },
        5_000,
        (text) => text.startsWith(':'),
      );
    const before = library.streams.length;
    await open('41');
    await eventually(async () => library.streams.length === before + 1, 'circulation is asked');
    expect(library.streams.at(-1)!.headers['last-event-id']).toBe('41');
    await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'it closes');
    // Not an id the gateway would have sent: not passed on.
    await open('not an id');
    await eventually(async () => library.streams.length === before + 2, 'circulation is asked again');
    expect(library.streams.at(-1)!.headers['last-event-id']).toBeUndefined();
    await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'it closes');
  });

  it('filters a field denied to an anonymous subscriber in every event: null, with UNAUTHENTICATED at its path', async () => {
    const subscription = subscribe(clientOf(), 'subscription { loanChanged(id: "l1") { id reader { name email } } }');
    await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
    library.change('l1', 'OVERDUE');
    library.change('l1', 'RETURNED');
    for (const index of [0, 1]) {
      const { data, errors } = await subscription.result(index);
      expect(data).toEqual({ loanChanged: { id: 'l1', reader: { name: READERS[0]!.name, email: null } } });
      expect(errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[['loanChanged', 'reader', 'email'], 'UNAUTHENTICATED']]);
    }
    subscription.close();
    await eventually(async () => openStreams() === 0, 'the subgraph stream closes');
  });

  it('refuses a subscription whose root field is denied before any subgraph is asked, and one the subgraph refuses with its own code', async () => {
    const before = library.streams.length;
    const denied = subscribe(clientOf(), 'subscription { desk { id } }');
    await denied.done;
    expect(denied.results.map((result) => result.errors?.map((error) => error.extensions?.code))).toEqual([['UNAUTHENTICATED']]);
    expect(library.streams.length).toBe(before);

    const forbidden = subscribe(clientOf(await tokenOf('reader-2')), LOAN, { id: 'forbidden' });
    await forbidden.done;
    expect(forbidden.results).toHaveLength(1);
    expect(forbidden.results[0]!.data).toBeNull();
    expect(forbidden.results[0]!.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([['Not your loan', 'FORBIDDEN']]);
  });

  it('refuses what a query would be refused: a validation error, an unknown variable type, a subscription sent without Accept: text/event-stream', async () => {
    const invalid = subscribe(clientOf(), 'subscription { loanChanged(id: "l1") { nope } }');
    await invalid.done;
    expect(invalid.results[0]!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badVariable = subscribe(clientOf(), LOAN, { id: { not: 'an id' } });
    await badVariable.done;
    expect(badVariable.results[0]!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LOAN, variables: { id: 'l1' } }) });
    const answer = (await response.json()) as Result;
    expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(answer.errors?.[0]?.message).toContain('text/event-stream');
    expect(answer.errors?.[0]?.message).toContain('multipart/mixed;subscriptionSpec=1.0');
  });

  it('holds a subscription to the limits a query is held to: aliases, string lengths; and serves it persisted by hash', async () => {
    const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: id`).join(' ');
    const tooManyAliases = subscribe(clientOf(), `subscription { loanChanged(id: "l1") { ${aliases} } }`);
    await tooManyAliases.done;
    expect(tooManyAliases.results[0]!.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const longId = subscribe(clientOf(), LOAN, { id: 'x'.repeat(9_000) });
    await longId.done;
    expect(longId.results[0]!.errors?.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([['BAD_USER_INPUT', 'id']]);
    expect(library.streams.filter((stream) => stream.open)).toEqual([]);

    // Registered by hash with its text (automatic persisted queries), then subscribed to by the hash alone, with GET.
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(LOAN).digest('hex') };
    const register = await readStream(
      `${url}/graphql`,
      { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: JSON.stringify({ query: LOAN, variables: { id: 'l2' }, extensions: { persistedQuery } }) },
      5_000,
      (text) => text.startsWith(':'),
    );
    expect(register.status).toBe(200);
    await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'the registering subscription closes');
    const search = new URLSearchParams({ variables: JSON.stringify({ id: 'l2' }), extensions: JSON.stringify({ persistedQuery }) });
    const reading = readStream(`${url}/graphql?${search}`, { headers: { accept: 'text/event-stream' } }, 5_000, (text) => text.includes('event: next'));
    await eventually(async () => openStreams() === 1, 'circulation serves the persisted subscription');
    library.change('l2', 'RENEWED');
    expect((await reading).text).toContain('"loanChanged":{"id":"l2","status":"RENEWED"');
  });

  it(`holds at most ${PER_CLIENT} open subscriptions per client, refusing the next with RATE_LIMITED until one closes`, async () => {
    const client = clientOf(await tokenOf('busy-reader'));
    const open = Array.from({ length: PER_CLIENT }, () => subscribe(client, LOAN, { id: 'l1' }));
    await eventually(async () => gateway.openSubscriptions() === PER_CLIENT, 'all are open');
    const refused = subscribe(client, LOAN, { id: 'l1' });
    await refused.done;
    expect(refused.results.map((result) => result.errors?.map((error) => [error.extensions?.code, error.extensions?.reason]))).toEqual([[['RATE_LIMITED', 'TOO_MANY_SUBSCRIPTIONS']]]);
    // Another client is not held to this one's count.
    const other = subscribe(clientOf(await tokenOf('other-reader')), LOAN, { id: 'l1' });
    await eventually(async () => gateway.openSubscriptions() === PER_CLIENT + 1, "another client's opens");
    open[0]!.close();
    await eventually(async () => gateway.openSubscriptions() === PER_CLIENT, 'a place frees');
    const again = subscribe(client, LOAN, { id: 'l1' });
    await eventually(async () => gateway.openSubscriptions() === PER_CLIENT + 1, 'the client opens one again');
    library.change('l1', 'OVERDUE');
    expect((await again.result(0)).data).toMatchObject({ loanChanged: { status: 'OVERDUE' } });
    for (const subscription of [...open, other, again]) subscription.close();
    await eventually(async () => gateway.openSubscriptions() === 0 && openStreams() === 0, 'all close');
  });

  it('ends open streams with SUPERGRAPH_RELOADED when another supergraph is served, and the client subscribes again on it', async () => {
    const subscription = subscribe(clientOf(), LOAN, { id: 'l2' });
    await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
    const before = gateway.servedSupergraph()!.hash;
    await writeFile(supergraphPath, `${library.supergraph}\n# served again\n`);
    await gateway.reloadSupergraph();
    expect(gateway.servedSupergraph()!.hash).not.toBe(before);
    await subscription.done;
    expect(subscription.results.map((result) => result.errors?.map((error) => [error.extensions?.code, error.extensions?.reason]))).toEqual([[['SERVICE_UNAVAILABLE', 'SUPERGRAPH_RELOADED']]]);
    await eventually(async () => openStreams() === 0, 'its subgraph stream closes');

    const again = subscribe(clientOf(), LOAN, { id: 'l2' });
    await eventually(async () => openStreams() === 1, 'circulation serves the new subscription');
    library.change('l2', 'LOST');
    expect(await again.result(0)).toEqual({ data: { loanChanged: { id: 'l2', status: 'LOST', reader: { name: READERS[1]!.name }, book: { title: BOOKS[1]!.title } } } });
    again.close();
    await eventually(async () => openStreams() === 0, 'it closes');
  });

  it('ends a stream with UNAUTHENTICATED once its token expires', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const subscription = subscribe(clientOf(await tokenOf('brief-reader', expiresAt)), LOAN, { id: 'l1' });
    await subscription.done;
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    expect(subscription.results.map((result) => result.errors?.map((error) => [error.extensions?.code, error.extensions?.reason]))).toEqual([[['UNAUTHENTICATED', 'SESSION_ENDED']]]);
    await eventually(async () => openStreams() === 0, 'its subgraph stream closes');
  });

  it('counts what it serves: active subscriptions back to 0, events delivered', async () => {
    await eventually(async () => gateway.openSubscriptions() === 0, 'no subscription is open');
    const metrics = await metricsRegistry.getMetricsAsJSON();
    const valueOf = (name: string, labels: Record<string, string> = {}) =>
      metrics.find((metric) => metric.name === name)?.values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label))?.value;
    expect(valueOf('subscriptions_active')).toBe(0);
    expect(valueOf('subscription_events_total', { outcome: 'data' })).toBeGreaterThanOrEqual(4);
    expect(valueOf('subscriptions_ended_total', { reason: 'SUPERGRAPH_RELOADED' })).toBeGreaterThanOrEqual(1);
  });

  it('ends open streams with SHUTTING_DOWN when the gateway stops, without holding the stop', async () => {
    await expectEndedByShutdown((base) => clientOf(undefined, base));
  });

  describe('over GraphQL over SSE, single connection mode', () => {
    const singleClients: Client<true>[] = [];
    afterAll(() => {
      for (const client of singleClients) client.dispose();
    });
    /** A graphql-sse client in single connection mode, with the method of every request it sends; not lazy, it holds its stream open while nothing runs. */
    const singleClientOf = (token?: string, base = url, lazy = true) => {
      const methods: string[] = [];
      const client = createClient({
        url: `${base}/graphql`,
        singleConnection: true,
        lazy,
        onNonLazyError: () => undefined,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
          methods.push(init?.method ?? 'GET');
          return fetch(input, init);
        },
      });
      singleClients.push(client);
      return Object.assign(client, { methods });
    };
    const joined = (id: string, status: string, reader: number) => ({ data: { loanChanged: { id, status, reader: { name: READERS[reader]!.name }, book: { title: BOOKS[reader]!.title } } } });

    it('runs two subscriptions and a query on one stream, each joined event to its operation; unsubscribing one stops it while the other goes on', async () => {
      const client = singleClientOf(await tokenOf('single-reader'));
      const first = subscribe(client, LOAN, { id: 'l1' });
      const second = subscribe(client, LOAN, { id: 'l2' });
      await eventually(async () => openStreams() === 2 && gateway.openSubscriptions() === 2, 'circulation serves both');
      library.change('l1', 'OVERDUE');
      library.change('l2', 'RENEWED');
      expect(await first.result(0)).toEqual(joined('l1', 'OVERDUE', 0));
      expect(await second.result(0)).toEqual(joined('l2', 'RENEWED', 1));
      const query = subscribe(client, '{ books { title } }');
      await query.done;
      expect(query.results).toEqual([{ data: { books: BOOKS.map(({ title }) => ({ title })) } }]);

      first.close();
      await eventually(async () => openStreams() === 1 && gateway.openSubscriptions() === 1, 'the one unsubscribed closes');
      library.change('l2', 'LOST');
      expect(await second.result(1)).toEqual(joined('l2', 'LOST', 1));
      expect(first.results).toHaveLength(1);
      // One reservation, one stream, an operation each, one DELETE.
      expect(client.methods.filter((method) => method === 'PUT' || method === 'GET')).toEqual(['PUT', 'GET']);
      expect(client.methods.filter((method) => method === 'DELETE')).toEqual(['DELETE']);
      second.close();
      await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'all close');
    });

    it(`refuses a token it does not hold (404), holds a client to ${PER_CLIENT} subscriptions on its stream and to ${PER_CLIENT} reservations, and lets the custom header and methods through CORS`, async () => {
      const unknown = await fetch(`${url}/graphql?token=not-reserved`, { headers: { accept: 'text/event-stream' } });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });

      const token = await tokenOf('busy-single-reader');
      const client = singleClientOf(token);
      const open = Array.from({ length: PER_CLIENT }, () => subscribe(client, LOAN, { id: 'l1' }));
      await eventually(async () => gateway.openSubscriptions() === PER_CLIENT, 'all are open');
      const refused = subscribe(client, LOAN, { id: 'l1' });
      await refused.done;
      expect(refused.results.map((result) => result.errors?.map((error) => [error.extensions?.code, error.extensions?.reason]))).toEqual([[['RATE_LIMITED', 'TOO_MANY_SUBSCRIPTIONS']]]);
      // Its one reservation and two more are this client's share; the next PUT is refused.
      const reserve = () => fetch(`${url}/graphql`, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
      expect([(await reserve()).status, (await reserve()).status, (await reserve()).status]).toEqual([201, 201, 429]);
      for (const subscription of open) subscription.close();
      await eventually(async () => gateway.openSubscriptions() === 0 && openStreams() === 0, 'all close');

      const preflight = await fetch(`${url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://library.test', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,x-graphql-event-stream-token' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('x-graphql-event-stream-token');
    });

    it('ends its subscriptions with SHUTTING_DOWN and its stream when the gateway stops, without holding the stop', async () => {
      // Not lazy: the client would hold the stream open after its last subscription ended, so the gateway must end it.
      await expectEndedByShutdown((base) => singleClientOf(undefined, base, false));
    });
  });

  describe('over graphql-ws (WebSocket)', () => {
    const wsClients: WsClient[] = [];
    const wsUrlOf = (base: string) => `${base.replace(/^http/, 'ws')}/graphql`;
    /** The status a browser's socket from `origin` gets: 101 when it opens, else the HTTP status the upgrade was refused with. */
    const upgradeStatus = (base: string, origin: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(wsUrlOf(base), 'graphql-transport-ws', { origin });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
        socket.on('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
      });
    /** A graphql-ws client; `closed` resolves with the close code once the socket closes. */
    const wsClientOf = (connectionParams: Record<string, unknown> = {}, base = url, lazy = true) => {
      let onClosed: (code: number) => void = () => undefined;
      const closed = new Promise<number>((resolve) => (onClosed = resolve));
      const client = createWsClient({
        url: wsUrlOf(base),
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
        // Lazy, a client closes its socket once nothing is open, and opens another for the next operation.
        lazy,
        on: { closed: (event) => onClosed((event as { code: number }).code) },
      });
      wsClients.push(client);
      return Object.assign(client, { closed });
    };
    afterAll(async () => {
      for (const client of wsClients) await client.dispose();
    });

    it('joins each event with the entities other subgraphs own, with the token of connection_init forwarded, and answers a query once', async () => {
      const token = await tokenOf('ws-reader');
      const client = wsClientOf({ authorization: `Bearer ${token}` });
      const subscription = subscribe(client, LOAN, { id: 'l1' });
      await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
      library.change('l2', 'OVERDUE');
      library.change('l1', 'RENEWED');
      expect(await subscription.result(0)).toEqual({ data: { loanChanged: { id: 'l1', status: 'RENEWED', reader: { name: READERS[0]!.name }, book: { title: BOOKS[0]!.title } } } });
      expect(library.streams.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);

      const query = subscribe(client, '{ books { title } }');
      await query.done;
      expect(query.results).toEqual([{ data: { books: BOOKS.map(({ title }) => ({ title })) } }]);
      subscription.close();
      await eventually(async () => openStreams() === 0 && gateway.openSubscriptions() === 0, 'the subgraph stream closes once the client completes');
    });

    it('takes `Authorization` too; closes the socket with 4403 for a token it refuses, and serves a socket without one as anonymous', async () => {
      const capitalized = wsClientOf({ Authorization: `Bearer ${await tokenOf('ws-reader-2')}` });
      const forbidden = subscribe(capitalized, LOAN, { id: 'forbidden' });
      await forbidden.done;
      expect(forbidden.results[0]!.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);

      const refused = wsClientOf({ authorization: 'Bearer not-a-token' });
      const subscription = subscribe(refused, LOAN, { id: 'l1' });
      await expect(subscription.done).rejects.toMatchObject({ code: 4403 });
      expect(await refused.closed).toBe(4403);

      const anonymous = subscribe(wsClientOf(), 'subscription { desk { id } }');
      await anonymous.done;
      expect(codesOf(anonymous.results)).toEqual([[['UNAUTHENTICATED', undefined]]]);
    });

    it('refuses what a query would be refused, as a `next` with the code then `complete`', async () => {
      const client = wsClientOf();
      const invalid = subscribe(client, 'subscription { loanChanged(id: "l1") { nope } }');
      await invalid.done;
      expect(invalid.results[0]!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const longId = subscribe(client, LOAN, { id: 'x'.repeat(9_000) });
      await longId.done;
      expect(longId.results[0]!.errors?.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([['BAD_USER_INPUT', 'id']]);
      expect(library.streams.filter((stream) => stream.open)).toEqual([]);
    });

    it(`holds at most ${PER_CLIENT} open subscriptions per client over a socket, refusing the next with RATE_LIMITED`, async () => {
      const client = wsClientOf({ authorization: `Bearer ${await tokenOf('busy-ws-reader')}` });
      const open = Array.from({ length: PER_CLIENT }, () => subscribe(client, LOAN, { id: 'l1' }));
      await eventually(async () => gateway.openSubscriptions() === PER_CLIENT, 'all are open');
      const refused = subscribe(client, LOAN, { id: 'l1' });
      await refused.done;
      expect(codesOf(refused.results)).toEqual([[['RATE_LIMITED', 'TOO_MANY_SUBSCRIPTIONS']]]);
      for (const subscription of open) subscription.close();
      await eventually(async () => gateway.openSubscriptions() === 0 && openStreams() === 0, 'all close');
    });

    it('ends a stream with UNAUTHENTICATED once the token of connection_init expires', async () => {
      const expiresAt = Math.floor(Date.now() / 1000) + 2;
      const subscription = subscribe(wsClientOf({ authorization: `Bearer ${await tokenOf('brief-ws-reader', expiresAt)}` }), LOAN, { id: 'l1' });
      await subscription.done;
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
      expect(codesOf(subscription.results)).toEqual([[['UNAUTHENTICATED', 'SESSION_ENDED']]]);
      await eventually(async () => openStreams() === 0, 'its subgraph stream closes');
    });

    it('ends a stream the gateway ends (a reload) with its coded error, then `complete`', async () => {
      const subscription = subscribe(wsClientOf(), LOAN, { id: 'l2' });
      await eventually(async () => openStreams() === 1, 'circulation serves the subscription');
      await writeFile(supergraphPath, `${library.supergraph}\n# served again over a socket\n`);
      await gateway.reloadSupergraph();
      await subscription.done;
      expect(codesOf(subscription.results)).toEqual([[['SERVICE_UNAVAILABLE', 'SUPERGRAPH_RELOADED']]]);
      await eventually(async () => openStreams() === 0, 'its subgraph stream closes');
    });

    it('takes a request point per socket and per message, opens sockets only from allowed origins, and holds messages to the body limit', async () => {
      const started = await gatewayWith({ RATE_LIMIT_REQUESTS: '3', CORS_ORIGINS: 'https://library.test', MAX_BODY_BYTES: '2000' });
      try {
        // One point for the socket, one for each of the two queries; the third query is past the allowance.
        const client = wsClientOf({}, started.url, false);
        for (let request = 0; request < 2; request += 1) {
          const allowed = subscribe(client, '{ books { title } }');
          await allowed.done;
          expect(allowed.results[0]!.data).toBeDefined();
        }
        const limited = subscribe(client, '{ books { title } }');
        await limited.done;
        expect(limited.results.map((result) => result.errors?.map((error) => error.extensions?.code))).toEqual([['RATE_LIMITED']]);
        expect(limited.results[0]!.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);

        expect(await upgradeStatus(started.url, 'https://elsewhere.test')).toBe(403);
        // This address has no point left for another socket.
        expect(await upgradeStatus(started.url, 'https://library.test')).toBe(429);
      } finally {
        await started.gateway.stop();
      }
    });

    it('closes a socket whose message is past the body limit (1009), and lets in browsers from allowed origins', async () => {
      const started = await gatewayWith({ CORS_ORIGINS: 'https://library.test', MAX_BODY_BYTES: '2000' });
      try {
        expect(await upgradeStatus(started.url, 'https://library.test')).toBe(101);
        const tooLarge = wsClientOf({}, started.url);
        const large = subscribe(tooLarge, `{ books { title } } # ${'x'.repeat(3_000)}`);
        await expect(large.done).rejects.toMatchObject({ code: 1009 });
      } finally {
        await started.gateway.stop();
      }
    });

    it('ends open streams with SHUTTING_DOWN when the gateway stops, without holding the stop', async () => {
      await expectEndedByShutdown((base) => wsClientOf({}, base));
    });
  });
});
