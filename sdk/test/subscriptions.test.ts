import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createShopClient,
  MeDocument,
  MyOrderUpdatesDocument,
  OrderPageDocument,
  OrderUpdatedDocument,
  ShopError,
  ShopNetworkError,
  type MyOrderUpdatesSubscription,
  type ShopClientOptions,
} from '../src/index.js';

/** One request the fake gateway got. */
interface Received {
  body: { query?: string; variables?: Record<string, unknown>; extensions?: { persistedQuery?: { sha256Hash?: string } } };
  authorization: string | undefined;
  eventStream: boolean;
}

/** What a test does with one subscription connection: writes its events, ends it, or cuts it. */
type Connection = (stream: Stream, received: Received) => void | Promise<void>;

/** A GraphQL over SSE stream as the gateway writes it (distinct connections mode). */
class Stream {
  closedByClient = false;

  constructor(readonly res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(':\n\n');
    res.on('close', () => {
      if (!res.writableEnded) this.closedByClient = true;
    });
  }

  event(id: number, data: unknown): void {
    this.res.write(`id: ${id}\nevent: next\ndata: ${JSON.stringify({ data, extensions: { eventId: String(id) } })}\n\n`);
  }

  /** The stream's last event: an error with its code (and reason), then `complete`. */
  end(code: string, reason?: string): void {
    const error = { message: `ended: ${code}`, extensions: { code, ...(reason ? { reason } : {}) } };
    this.res.end(`event: next\ndata: ${JSON.stringify({ errors: [error] })}\n\nevent: complete\ndata:\n\n`);
  }

  complete(): void {
    this.res.end('event: complete\ndata:\n\n');
  }

  /** The connection drops, with no `complete`: a gateway restarted, a network lost. */
  cut(): void {
    this.res.socket?.destroy();
  }
}

const order = (id: string, status: string): MyOrderUpdatesSubscription => ({
  myOrderUpdates: {
    id,
    status: status as MyOrderUpdatesSubscription['myOrderUpdates']['status'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    total: { amountCents: 100, currency: 'EUR' },
    items: [],
    statusHistory: [],
  },
});

const IN_AN_HOUR = () => new Date(Date.now() + 3_600_000).toISOString();
const session = (n: number) => ({ token: `access-${n}`, accessTokenExpiresAt: IN_AN_HOUR(), refreshToken: `refresh-${n}`, refreshTokenExpiresAt: IN_AN_HOUR() });

/** A fake gateway: each subscription connection is handed to the next of `connections`; JSON requests to `answerJson`. */
class FakeGateway {
  readonly received: Received[] = [];
  readonly streams: Stream[] = [];
  connections: Connection[] = [];
  answerJson: (received: Received) => unknown = () => ({ errors: [{ message: 'no', extensions: { code: 'BAD_USER_INPUT' } }] });
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  subscriptions(): Received[] {
    return this.received.filter((received) => received.eventStream);
  }

  client(options: Partial<ShopClientOptions> = {}) {
    return createShopClient({ url: this.url, subscriptionRetry: { initialDelayMs: 5, maxDelayMs: 20, attempts: 3 }, ...options });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const received: Received = {
      body: JSON.parse(text) as Received['body'],
      authorization: req.headers.authorization,
      eventStream: req.headers.accept === 'text/event-stream',
    };
    this.received.push(received);
    if (!received.eventStream && received.body.query === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] }));
      return;
    }
    if (!received.eventStream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.answerJson(received)));
      return;
    }
    const stream = new Stream(res);
    this.streams.push(stream);
    const connection = this.connections.shift();
    if (connection) await connection(stream, received);
  }
}

let gateway: FakeGateway;
beforeEach(async () => {
  gateway = new FakeGateway();
  await gateway.start();
});
afterEach(async () => {
  await gateway.stop();
});

/** Reads `count` results, then breaks out of the loop. */
async function take<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const results: T[] = [];
  if (count === 0) return results;
  for await (const result of iterable) {
    results.push(result);
    if (results.length === count) break;
  }
  return results;
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('subscribe', () => {
  it('sends the document by its hash with the token, yields typed results, and closes the stream when the loop breaks', async () => {
    gateway.connections = [
      (stream) => {
        stream.event(1, order('o-1', 'PAID'));
        stream.event(2, order('o-1', 'SHIPPED'));
      },
    ];
    const client = gateway.client({ token: 't0ken' });
    const subscription = client.subscribe(OrderUpdatedDocument, { id: 'o-1' });
    const results = await take(subscription, 1);
    expect(results).toEqual([order('o-1', 'PAID')]);
    expect(gateway.subscriptions()).toEqual([
      {
        body: { variables: { id: 'o-1' }, extensions: { persistedQuery: { version: 1, sha256Hash: OrderUpdatedDocument.__meta__?.hash as string } } },
        authorization: 'Bearer t0ken',
        eventStream: true,
      },
    ]);
    await until(() => gateway.streams[0]!.closedByClient);
  });

  it('resumes a dropped connection after the last event it got, so nothing is lost or doubled', async () => {
    gateway.connections = [
      (stream) => {
        stream.event(1, order('o-1', 'PAID'));
        stream.event(2, order('o-2', 'PAID'));
        setTimeout(() => stream.cut(), 20);
      },
      (stream, received) => {
        expect(received.body.variables).toEqual({ after: '2' });
        stream.event(3, order('o-1', 'SHIPPED'));
        stream.complete();
      },
    ];
    const subscription = gateway.client().subscribe(MyOrderUpdatesDocument);
    const results: MyOrderUpdatesSubscription[] = [];
    for await (const result of subscription) results.push(result);
    expect(results.map(({ myOrderUpdates }) => `${myOrderUpdates.id} ${myOrderUpdates.status}`)).toEqual(['o-1 PAID', 'o-2 PAID', 'o-1 SHIPPED']);
    expect(subscription.lastEventId).toBe('3');
    expect(gateway.subscriptions().map((received) => received.body.variables)).toEqual([undefined, { after: '2' }]);
  });

  it('resubscribes after the stream-ending codes that say so, and throws ShopError on the others', async () => {
    gateway.connections = [
      (stream) => {
        stream.event(7, order('o-1', 'PAID'));
        stream.end('SERVICE_UNAVAILABLE', 'SUPERGRAPH_RELOADED');
      },
      (stream) => stream.end('SERVICE_UNAVAILABLE', 'SUBGRAPH_STREAM_LOST'),
      (stream) => {
        stream.event(8, order('o-1', 'SHIPPED'));
        stream.end('FORBIDDEN');
      },
    ];
    const results: MyOrderUpdatesSubscription[] = [];
    const error = await (async () => {
      for await (const result of gateway.client().subscribe(MyOrderUpdatesDocument, { after: '3' })) results.push(result);
    })().catch((thrown: unknown) => thrown);
    expect(results.map(({ myOrderUpdates }) => myOrderUpdates.status)).toEqual(['PAID', 'SHIPPED']);
    expect(gateway.subscriptions().map((received) => received.body.variables)).toEqual([{ after: '3' }, { after: '7' }, { after: '7' }]);
    expect(error).toBeInstanceOf(ShopError);
    expect(error).toMatchObject({ code: 'FORBIDDEN' });

    // A slow consumer is dropped for good: RATE_LIMITED is not resubscribed after.
    gateway.connections = [(stream) => stream.end('RATE_LIMITED', 'SLOW_CONSUMER')];
    const slow = await take(gateway.client().subscribe(MyOrderUpdatesDocument), 1).catch((thrown: unknown) => thrown);
    expect(slow).toMatchObject({ name: 'ShopError', code: 'RATE_LIMITED', errors: [{ reason: 'SLOW_CONSUMER' }] });
  });

  it('gives up after its attempts in a row, with the last error', async () => {
    gateway.connections = Array.from({ length: 10 }, () => (stream: Stream) => stream.end('SERVICE_UNAVAILABLE', 'SHUTTING_DOWN'));
    const error = await take(gateway.client().subscribe(MyOrderUpdatesDocument), 1).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', errors: [{ reason: 'SHUTTING_DOWN' }] });
    expect(gateway.subscriptions()).toHaveLength(4);

    const unreachable = createShopClient({ url: 'http://127.0.0.1:9/graphql', subscriptionRetry: { initialDelayMs: 1, attempts: 1 } });
    await expect(take(unreachable.subscribe(MyOrderUpdatesDocument), 1)).rejects.toBeInstanceOf(ShopNetworkError);
  });

  it('renews the session on UNAUTHENTICATED and subscribes again with the new token, once', async () => {
    gateway.answerJson = (received) =>
      received.body.query?.includes('RefreshSession') ? { data: { refreshSession: { ...session(2), user: { id: '1', email: 'a@example.com', name: 'A', role: 'CUSTOMER', createdAt: '2026-01-01T00:00:00.000Z' } } } } : {};
    gateway.connections = [
      (stream) => {
        stream.event(1, order('o-1', 'PAID'));
        stream.end('UNAUTHENTICATED', 'SESSION_ENDED');
      },
      (stream) => {
        stream.event(2, order('o-1', 'SHIPPED'));
        stream.end('UNAUTHENTICATED');
      },
      (stream) => stream.end('UNAUTHENTICATED'),
    ];
    const sessions: unknown[] = [];
    const client = gateway.client({ session: session(1), onSession: (next) => sessions.push(next) });
    const results: string[] = [];
    const error = await (async () => {
      for await (const result of client.subscribe(MyOrderUpdatesDocument)) results.push(result.myOrderUpdates.status);
    })().catch((thrown: unknown) => thrown);
    expect(results).toEqual(['PAID', 'SHIPPED']);
    // Renewed after the stream ended, and after the refusal that followed an event; a refusal right after a renewal is final.
    expect(gateway.subscriptions().map((received) => [received.authorization, received.body.variables])).toEqual([
      ['Bearer access-1', undefined],
      ['Bearer access-2', { after: '1' }],
      ['Bearer access-2', { after: '2' }],
    ]);
    expect(error).toMatchObject({ name: 'ShopError', code: 'UNAUTHENTICATED' });
    expect(sessions).toHaveLength(2);
  });

  it('falls back to the text where the server does not know the hash', async () => {
    gateway.connections = [
      (stream) => stream.end('PERSISTED_QUERY_NOT_FOUND'),
      (stream, received) => {
        expect(received.body.query).toBe(MyOrderUpdatesDocument.toString());
        stream.event(1, order('o-1', 'PAID'));
      },
    ];
    expect(await take(gateway.client().subscribe(MyOrderUpdatesDocument), 1)).toEqual([order('o-1', 'PAID')]);
  });

  it('closes a stream waiting for its next event', async () => {
    const subscription = gateway.client().subscribe(MyOrderUpdatesDocument);
    const next = subscription.next();
    await until(() => gateway.streams.length === 1);
    await subscription.close();
    expect(await next).toEqual({ done: true, value: undefined });
    await until(() => gateway.streams[0]!.closedByClient);
  });

  it('is typed from the document', () => {
    const client = createShopClient({ url: 'http://shop.test/graphql' });
    // @ts-expect-error a required variable is missing
    void client.subscribe(OrderUpdatedDocument, {});
    // @ts-expect-error a query is not a subscription of its own kind: its variables are still checked
    void client.subscribe(MeDocument, { id: 'x' });
  });
});

describe('requestInParts', () => {
  const first = { order: { id: 'o-1', status: 'PENDING', items: [{ quantity: 1, product: { id: 'p-1' } }] } };
  const part = (stream: Stream, body: unknown) => stream.res.write(`event: next\ndata: ${JSON.stringify(body)}\n\n`);

  it('yields the data after each part, merged at its path, complete with the last', async () => {
    gateway.connections = [
      (stream) => {
        part(stream, { data: first, hasNext: true });
        part(stream, { incremental: [{ data: { name: 'Cup', stock: 3 }, path: ['order', 'items', 0, 'product'], label: 'product' }], hasNext: false });
        stream.complete();
      },
    ];
    const states = [];
    for await (const state of gateway.client().requestInParts(OrderPageDocument, { id: 'o-1' })) states.push(state);
    expect(states.map((state) => [state.complete, state.data.order?.items[0]?.product?.name])).toEqual([
      [false, undefined],
      [true, 'Cup'],
    ]);
    expect(gateway.subscriptions()[0]?.body.extensions?.persistedQuery?.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws ShopNetworkError when the stream ends before its last part, after the data it had', async () => {
    gateway.connections = [
      (stream) => {
        part(stream, { data: first, hasNext: true });
        stream.complete();
      },
    ];
    const states: unknown[] = [];
    const error = await (async () => {
      for await (const state of gateway.client().requestInParts(OrderPageDocument, { id: 'o-1' })) states.push(state);
    })().catch((thrown: unknown) => thrown);
    expect(states).toHaveLength(1);
    expect(error).toBeInstanceOf(ShopNetworkError);
  });

  it('ends at once on close(), while a part is still awaited, and closes the stream', async () => {
    gateway.connections = [(stream) => void part(stream, { data: first, hasNext: true })];
    const parts = gateway.client().requestInParts(OrderPageDocument, { id: 'o-1' });
    const states: unknown[] = [];
    const reading = (async () => {
      for await (const state of parts) {
        states.push(state);
        parts.close();
      }
    })();
    await reading;
    expect(states).toHaveLength(1);
    await expect.poll(() => gateway.streams[0]?.closedByClient).toBe(true);
  });

  it('renews the session once when the first part refuses its token, and asks again with the new one', async () => {
    gateway.answerJson = (received) =>
      received.body.query?.includes('RefreshSession') ? { data: { refreshSession: { ...session(2), user: { id: '1', email: 'a@example.com', name: 'A', role: 'CUSTOMER', createdAt: '2026-01-01T00:00:00.000Z' } } } } : {};
    gateway.connections = [
      (stream) => stream.end('UNAUTHENTICATED'),
      (stream) => {
        part(stream, { data: first });
        stream.complete();
      },
    ];
    const states = [];
    for await (const state of gateway.client({ session: session(1) }).requestInParts(OrderPageDocument, { id: 'o-1' })) states.push(state);
    expect(states).toEqual([{ data: first, complete: true }]);
    expect(gateway.subscriptions().map((received) => received.authorization)).toEqual(['Bearer access-1', 'Bearer access-2']);
  });
});
