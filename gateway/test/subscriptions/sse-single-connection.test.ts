import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { FormattedExecutionResult } from 'graphql';
import type { Logger } from '@shop/service-kit';
import type { FederatedSubscription } from '../../src/subscriptions/federated-subscription.js';
import type { OperationRunner } from '../../src/subscriptions/operation-runner.js';
import { sseSingleConnection, TOKEN_HEADER, type SingleConnection } from '../../src/subscriptions/sse-single-connection.js';

/** A subscription stand-in whose events the test pushes; ended, its last event says why (as FederatedSubscription's does). */
function controlledSubscription() {
  const queue: FormattedExecutionResult[] = [];
  let wake: (() => void) | undefined;
  const state = { ended: undefined as string | undefined };
  const subscription = {
    state,
    push(event: FormattedExecutionResult) {
      queue.push(event);
      wake?.();
    },
    async *events(): AsyncGenerator<FormattedExecutionResult> {
      while (state.ended === undefined) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        while (queue.length > 0) yield queue.shift()!;
      }
      if (state.ended !== 'client_closed') yield { errors: [{ message: 'ended', extensions: { reason: state.ended } }] };
    },
    end(reason: string) {
      if (state.ended !== undefined) return;
      state.ended = reason;
      wake?.();
    },
    close() {
      subscription.end('client_closed');
    },
    isClosingEvent: () => false,
  };
  return subscription;
}
type Controlled = ReturnType<typeof controlledSubscription>;

const silentLogger = { warn: () => undefined } as unknown as Logger;

/** An open event stream's text so far, read as it comes. */
function openStream(response: Response) {
  let text = '';
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const reading = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return {
    text: () => text,
    /** The `data` of every message of `event`, parsed. */
    messages: (event: 'next' | 'complete') => [...text.matchAll(new RegExp(`event: ${event}\\ndata: (.*)\\n\\n`, 'g'))].map((match) => JSON.parse(match[1]!) as unknown),
    ended: reading,
  };
}

describe('sseSingleConnection', () => {
  let server: Server;
  let base: string;
  let single: SingleConnection;
  const subscriptions: Controlled[] = [];
  const controllers: AbortController[] = [];
  const run: OperationRunner = async (_req, _res, body) => {
    if (String(body.query).startsWith('subscription')) {
      const subscription = controlledSubscription();
      subscriptions.push(subscription);
      return { kind: 'subscription', subscription: subscription as unknown as FederatedSubscription };
    }
    return { kind: 'single', body: JSON.stringify({ data: { echo: body.query } }) };
  };

  /** Requests as `user` (the x-user header stands for a verified token), else anonymous; all from one address. */
  const request = (method: string, init: { user?: string; token?: string; search?: string; body?: unknown; accept?: string } = {}) => {
    const controller = new AbortController();
    controllers.push(controller);
    const headers: Record<string, string> = {};
    if (init.user) headers['x-user'] = init.user;
    if (init.token) headers[TOKEN_HEADER] = init.token;
    if (init.accept) headers.accept = init.accept;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${base}${init.search ?? ''}`, { method, headers, signal: controller.signal, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  };
  const reserve = async (user?: string) => {
    const response = await request('PUT', { user });
    expect(response.status).toBe(201);
    return response.text();
  };
  const connect = async (token: string, user?: string) => {
    const response = await request('GET', { user, search: `?token=${token}`, accept: 'text/event-stream' });
    expect(response.status).toBe(200);
    return openStream(response);
  };
  const post = (token: string, operationId: unknown, query: string, user?: string) => request('POST', { user, token, body: { query, extensions: { operationId } } });

  beforeAll(async () => {
    single = sseSingleConnection(run, {
      bounds: { maxOpen: 4, maxPerClient: 2, reservationTimeoutMs: 1_000, maxOperations: 3, heartbeatMs: 5_000, maxBufferedBytes: 64 * 1024 },
      identify: async (req) => {
        const user = req.get('x-user');
        return { client: user ? `user:${user}` : 'address:127.0.0.1', address: 'address:127.0.0.1' };
      },
      logger: silentLogger,
    });
    const app = express();
    app.use('/graphql', express.json(), single.handler, (_req, res) => {
      res.status(299).end('passed on');
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterEach(async () => {
    for (const controller of controllers.splice(0)) controller.abort();
    await expect.poll(() => single.reservations, { timeout: 5_000 }).toBe(0);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reserves with PUT (201, an unguessable token as text), opens the stream once (409 after), refuses a token it does not hold (404), passes on requests without one', async () => {
    const response = await request('PUT');
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const token = await response.text();
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const stream = await connect(token);
    await expect.poll(() => stream.text()).toBe(':\n\n');
    expect((await request('GET', { token, accept: 'text/event-stream' })).status).toBe(409);
    const unknown = await request('GET', { search: '?token=not-reserved', accept: 'text/event-stream' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    expect((await post('not-reserved', 'a', '{ a }')).status).toBe(404);
    expect((await request('POST', { body: { query: '{ a }' } })).status).toBe(299);
  });

  it('accepts an operation with 202 and sends its result on the stream as `next` {id, payload} then `complete` {id}', async () => {
    const token = await reserve();
    const stream = await connect(token);
    expect((await post(token, 'q1', '{ books }')).status).toBe(202);
    await expect.poll(() => stream.messages('complete')).toEqual([{ id: 'q1' }]);
    expect(stream.messages('next')).toEqual([{ id: 'q1', payload: { data: { echo: '{ books }' } } }]);
    expect(stream.text()).toBe(':\n\nevent: next\ndata: {"id":"q1","payload":{"data":{"echo":"{ books }"}}}\n\nevent: complete\ndata: {"id":"q1"}\n\n');
    // Its id is free again once it is over.
    expect((await post(token, 'q1', '{ again }')).status).toBe(202);
  });

  it('multiplexes subscriptions by id; DELETE stops one (200) while the other goes on; the stream closing ends the rest', async () => {
    const token = await reserve();
    const stream = await connect(token);
    expect((await post(token, 's1', 'subscription { a }')).status).toBe(202);
    expect((await post(token, 's2', 'subscription { b }')).status).toBe(202);
    const [first, second] = subscriptions.slice(-2) as [Controlled, Controlled];
    first.push({ data: { a: 1 } });
    second.push({ data: { b: 1 } });
    await expect.poll(() => stream.messages('next')).toHaveLength(2);
    expect(stream.messages('next')).toEqual(expect.arrayContaining([{ id: 's1', payload: { data: { a: 1 } } }, { id: 's2', payload: { data: { b: 1 } } }]));
    expect((await request('DELETE', { token, search: '?operationId=s1' })).status).toBe(200);
    expect(first.state.ended).toBe('client_closed');
    first.push({ data: { a: 2 } });
    second.push({ data: { b: 2 } });
    await expect.poll(() => stream.messages('next')).toHaveLength(3);
    expect(stream.messages('next').at(-1)).toEqual({ id: 's2', payload: { data: { b: 2 } } });
    expect(stream.messages('complete')).toEqual([]);
    controllers.at(-4)!.abort();
    await expect.poll(() => second.state.ended).toBe('client_closed');
    await expect.poll(() => single.reservations, { timeout: 5_000 }).toBe(0);
    // The token served its one stream.
    expect((await request('GET', { token, accept: 'text/event-stream' })).status).toBe(404);
  });

  it('refuses what is not one well-named operation: no or an overlong id (400), an id in use (409), past the operations bound (429), a DELETE without an id (400)', async () => {
    const token = await reserve();
    await connect(token);
    expect((await request('POST', { token, body: { query: '{ a }' } })).status).toBe(400);
    expect((await post(token, 'x'.repeat(129), '{ a }')).status).toBe(400);
    expect((await post(token, 7, '{ a }')).status).toBe(400);
    expect((await post(token, 's1', 'subscription { a }')).status).toBe(202);
    const taken = await post(token, 's1', 'subscription { a }');
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ errors: [{ extensions: { code: 'CONFLICT' } }] });
    expect((await post(token, 's2', 'subscription { a }')).status).toBe(202);
    expect((await post(token, 's3', 'subscription { a }')).status).toBe(202);
    expect((await post(token, 's4', 'subscription { a }')).status).toBe(429);
    expect((await request('DELETE', { token })).status).toBe(400);
    expect((await request('PATCH', { token })).status).toBe(405);
  });

  it('holds reservations to the per-client and per-replica bounds, and gives a place back when a stream closes', async () => {
    await reserve('a');
    const second = await reserve('a');
    const refused = await request('PUT', { user: 'a' });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    await reserve('b');
    await reserve('b');
    const full = await request('PUT', { user: 'c' });
    expect(full.status).toBe(503);
    expect(await full.json()).toMatchObject({ errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    await connect(second, 'a');
    controllers.at(-1)!.abort();
    await expect.poll(() => single.reservations).toBe(3);
    await reserve('a');
  });

  it("serves a token only to whom it was reserved for; a browser's EventSource (no token) may open the stream from the same address, not run operations", async () => {
    const token = await reserve('a');
    expect((await post(token, 'q', '{ a }', 'b')).status).toBe(404);
    expect((await request('GET', { user: 'b', token, accept: 'text/event-stream' })).status).toBe(404);
    const stream = await connect(token);
    expect((await post(token, 'q', '{ a }')).status).toBe(404);
    expect((await post(token, 'q', '{ a }', 'a')).status).toBe(202);
    await expect.poll(() => stream.messages('complete')).toEqual([{ id: 'q' }]);
  });

  it('keeps what an operation sends before the stream connects, and sends it on connecting', async () => {
    const token = await reserve();
    expect((await post(token, 'early', '{ early }')).status).toBe(202);
    const stream = await connect(token);
    await expect.poll(() => stream.messages('complete')).toEqual([{ id: 'early' }]);
    expect(stream.messages('next')).toEqual([{ id: 'early', payload: { data: { echo: '{ early }' } } }]);
  });

  it('drops a reservation no stream fulfils within its bound, ending what runs on it', async () => {
    const token = await reserve();
    expect((await post(token, 's', 'subscription { a }')).status).toBe(202);
    const subscription = subscriptions.at(-1)!;
    await expect.poll(() => single.reservations, { timeout: 5_000 }).toBe(0);
    expect(subscription.state.ended).toBe('client_closed');
    expect((await request('GET', { token, accept: 'text/event-stream' })).status).toBe(404);
  });
});

/** A server of `single` alone on /graphql, for one test; `stop` closes it. */
async function serve(single: SingleConnection) {
  const app = express();
  app.use('/graphql', express.json(), single.handler);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('sseSingleConnection ending streams', () => {
  const anonymous = async () => ({ client: 'address:127.0.0.1', address: 'address:127.0.0.1' });
  const postSubscription = (url: string, token: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: JSON.stringify({ query: 'subscription { a }', extensions: { operationId: 's' } }) });

  it('ends every subscription with SHUTTING_DOWN, sends its last event and `complete`, then ends the stream and refuses new reservations', async () => {
    const subscription = controlledSubscription();
    const single = sseSingleConnection(async () => ({ kind: 'subscription', subscription: subscription as unknown as FederatedSubscription }), {
      bounds: { maxOpen: 4, maxPerClient: 2, reservationTimeoutMs: 30_000, maxOperations: 3, heartbeatMs: 5_000, maxBufferedBytes: 64 * 1024 },
      identify: anonymous,
      logger: silentLogger,
    });
    const { url, stop } = await serve(single);
    try {
      const token = await (await fetch(url, { method: 'PUT' })).text();
      const stream = openStream(await fetch(url, { headers: { accept: 'text/event-stream', [TOKEN_HEADER]: token } }));
      expect((await postSubscription(url, token)).status).toBe(202);
      single.drain();
      await stream.ended;
      expect(subscription.state.ended).toBe('SHUTTING_DOWN');
      expect(stream.messages('next')).toEqual([{ id: 's', payload: { errors: [{ message: 'ended', extensions: { reason: 'SHUTTING_DOWN' } }] } }]);
      expect(stream.messages('complete')).toEqual([{ id: 's' }]);
      expect((await fetch(url, { method: 'PUT' })).status).toBe(503);
    } finally {
      await stop();
    }
  });

  it('drops a subscription whose events wait unread past the buffer bound (SLOW_CONSUMER), instead of buffering them', async () => {
    const ended: string[] = [];
    const flooding = {
      async *events(): AsyncGenerator<FormattedExecutionResult> {
        const filler = 'x'.repeat(64 * 1024);
        for (let index = 0; index < 1000 && ended.length === 0; index += 1) yield { data: { filler, index } };
      },
      end: (reason: string) => ended.push(reason),
      close: () => ended.push('client_closed'),
      isClosingEvent: () => false,
    };
    const single = sseSingleConnection(async () => ({ kind: 'subscription', subscription: flooding as unknown as FederatedSubscription }), {
      bounds: { maxOpen: 4, maxPerClient: 2, reservationTimeoutMs: 30_000, maxOperations: 3, heartbeatMs: 200, maxBufferedBytes: 16 * 1024 },
      identify: anonymous,
      logger: silentLogger,
    });
    const { port, url, stop } = await serve(single);
    const socket = connect(port, '127.0.0.1');
    try {
      const token = await (await fetch(url, { method: 'PUT' })).text();
      socket.write(`GET /graphql HTTP/1.1\r\nhost: localhost\r\naccept: text/event-stream\r\n${TOKEN_HEADER}: ${token}\r\n\r\n`);
      // It reads nothing: the kernel's buffers fill, then the response's own.
      socket.pause();
      expect((await postSubscription(url, token)).status).toBe(202);
      await expect.poll(() => ended[0], { timeout: 10_000 }).toBe('SLOW_CONSUMER');
      socket.destroy();
      await expect.poll(() => single.reservations, { timeout: 5_000 }).toBe(0);
    } finally {
      socket.destroy();
      await stop();
    }
  });
});
