import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { FormattedExecutionResult } from 'graphql';
import type { FederatedSubscription } from '../../src/subscriptions/federated-subscription.js';
import type { OperationAnswer, OperationRunner, RunOptions } from '../../src/subscriptions/operation-runner.js';
import { graphqlOverSse } from '../../src/subscriptions/sse-transport.js';

/** A subscription stand-in that yields large events as fast as they are taken, until it is ended. */
function floodingSubscription() {
  const ended: string[] = [];
  const subscription = {
    ended,
    async *events(): AsyncGenerator<FormattedExecutionResult> {
      const filler = 'x'.repeat(64 * 1024);
      for (let index = 0; index < 1000 && ended.length === 0; index += 1) yield { data: { filler, index } };
      if (ended.length > 0) yield { errors: [{ message: 'dropped', extensions: { code: 'RATE_LIMITED', reason: ended[0] } }] };
    },
    // As FederatedSubscription does: only the first reason counts.
    end(reason: string) {
      if (ended.length === 0) ended.push(reason);
    },
    close() {
      if (ended.length === 0) ended.push('client_closed');
    },
    isClosingEvent: () => false,
  };
  return subscription;
}

describe('graphqlOverSse', () => {
  let server: Server;
  let base: string;
  let answer: () => OperationAnswer = () => ({ kind: 'single', body: '{"data":{"ok":true}}' });
  const bodies: unknown[] = [];
  const asked: RunOptions[] = [];
  // Typed as the runner's overloads have it: the stand-in answers in parts only when asked to.
  const run = (async (_req: unknown, _res: unknown, body: Record<string, unknown>, options: RunOptions = {}) => {
    bodies.push(body);
    asked.push(options);
    return answer();
  }) as OperationRunner;

  beforeAll(async () => {
    const app = express();
    app.use('/graphql', express.json(), graphqlOverSse(run, { heartbeatMs: 200, maxBufferedBytes: 16 * 1024 }), (_req, res) => {
      res.status(299).end('passed on');
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers one result as a `next` then `complete`, the request read from a GET query string or a POST body', async () => {
    const search = new URLSearchParams({ query: '{ ok }', variables: '{"a":1}', operationName: 'Ok' });
    const got = await fetch(`${base}?${search}`, { headers: { accept: 'text/event-stream' } });
    expect(got.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await got.text()).toBe('event: next\ndata: {"data":{"ok":true}}\n\nevent: complete\ndata:\n\n');
    expect(bodies.at(-1)).toEqual({ query: '{ ok }', variables: { a: 1 }, operationName: 'Ok' });
    const posted = await fetch(base, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }) });
    expect(await posted.text()).toContain('event: next');
    expect(bodies.at(-1)).toEqual({ query: '{ ok }' });
  });

  it('passes on what does not ask for an event stream, and refuses a request that is not GraphQL with an HTTP error', async () => {
    expect((await fetch(base, { headers: { accept: 'application/json, text/event-stream' } })).status).toBe(299);
    const badVariables = await fetch(`${base}?query=%7Bok%7D&variables=nope`, { headers: { accept: 'text/event-stream' } });
    expect(badVariables.status).toBe(400);
    expect(await badVariables.json()).toEqual({ errors: [{ message: "The 'variables' parameter must be JSON", extensions: { code: 'BAD_USER_INPUT' } }] });
    const twice = await fetch(`${base}?query=a&query=b`, { headers: { accept: 'text/event-stream' } });
    expect(twice.status).toBe(400);
    const form = await fetch(base, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=x' });
    expect(form.status).toBe(415);
  });

  it('drops a client that leaves its events unread past the buffer bound (SLOW_CONSUMER), instead of buffering them', async () => {
    const subscription = floodingSubscription();
    answer = () => ({ kind: 'subscription', subscription: subscription as unknown as FederatedSubscription });
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const body = JSON.stringify({ query: 'subscription { flood }' });
    socket.write(`POST /graphql HTTP/1.1\r\nhost: localhost\r\naccept: text/event-stream\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    // It reads nothing: the kernel's buffers fill, then the response's own.
    socket.pause();
    try {
      await expect.poll(() => subscription.ended, { timeout: 10_000 }).toEqual(['SLOW_CONSUMER']);
    } finally {
      socket.destroy();
    }
  });

  it("asks for an answer in parts in Apollo's deferSpec shape, and sends each part as a `next` as it comes, with heartbeats while a slow one is awaited", async () => {
    answer = () => ({
      kind: 'parts',
      payloads: (async function* () {
        yield { data: { order: { id: '1' } }, hasNext: true };
        await new Promise((resolve) => setTimeout(resolve, 500));
        yield { incremental: [{ data: { status: 'PAID' }, path: ['order'] }], hasNext: false };
      })(),
    });
    const text = await (await fetch(base, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: '{"query":"{ order { id ... @defer { status } } }"}' })).text();
    expect(asked.at(-1)).toEqual({ incremental: 'deferSpec=20220824' });
    const first = 'event: next\ndata: {"data":{"order":{"id":"1"}},"hasNext":true}\n\n';
    expect(text.startsWith(`${first}:\n\n`)).toBe(true);
    expect(text.endsWith('event: next\ndata: {"incremental":[{"data":{"status":"PAID"},"path":["order"]}],"hasNext":false}\n\nevent: complete\ndata:\n\n')).toBe(true);
  });

  it('sends heartbeats on an idle stream', async () => {
    answer = () => ({
      kind: 'subscription',
      subscription: {
        async *events() {
          await new Promise((resolve) => setTimeout(resolve, 500));
          yield { data: { late: true } };
        },
        end: () => undefined,
        close: () => undefined,
        isClosingEvent: () => false,
      } as unknown as FederatedSubscription,
    });
    const text = await (await fetch(base, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: '{"query":"subscription { late }"}' })).text();
    expect(text.startsWith(':\n\n:\n\n:\n\n')).toBe(true);
    expect(text.endsWith('event: next\ndata: {"data":{"late":true}}\n\nevent: complete\ndata:\n\n')).toBe(true);
  });
});
