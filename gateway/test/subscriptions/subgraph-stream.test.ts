import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailable } from '@shop/service-kit';
import { SubgraphRefusal, subgraphStreams, type SubgraphEvent } from '../../src/subscriptions/subgraph-stream.js';

/** A subgraph stand-in whose answer to a subscription each test chooses, recording what it was sent. */
function standIn() {
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const received: { accept: string | undefined; authorization: string | undefined; body: string }[] = [];
  const closed: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ accept: req.headers.accept, authorization: req.headers.authorization, body });
      res.on('close', () => closed.push(body));
      answer(req, res);
    });
  });
  return {
    received,
    closed,
    answer: (handler: typeof answer) => (answer = handler),
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`))),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const eventStream = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
const next = (data: unknown) => `event: next\ndata: ${JSON.stringify(data)}\n\n`;
const request = (url: string) => ({ subgraph: 'loans', url, headers: { authorization: 'Bearer t' }, query: 'subscription { ticks }', variables: {}, operationName: undefined });
const kinds = (events: SubgraphEvent[]) => events.map((event) => (event.kind === 'result' ? event.result : event.kind));

describe('subgraphStreams', () => {
  const subgraph = standIn();
  let url: string;
  const streams = subgraphStreams({ openTimeoutMs: 500, idleTimeoutMs: 500, maxPendingEvents: 2 });
  beforeAll(async () => {
    url = await subgraph.listen();
  });
  afterAll(async () => {
    await streams.close();
    await subgraph.close();
  });

  it('subscribes over GraphQL over SSE with the headers given, and hands on each result, then the completion', async () => {
    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write(':\n\n');
      res.end(next({ data: { ticks: 1 } }) + next({ data: { ticks: 2 } }) + 'event: complete\ndata:\n\n');
    });
    const stream = await streams.open(request(url));
    const events = [await stream.next(), await stream.next(), await stream.next(), await stream.next()];
    expect(kinds(events)).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }, 'complete', 'complete']);
    expect(subgraph.received.at(-1)).toMatchObject({ accept: 'text/event-stream', authorization: 'Bearer t', body: JSON.stringify({ query: 'subscription { ticks }', variables: {} }) });
  });

  it('closes a stream whose events wait past their bound (overflow), rather than keep them', async () => {
    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write([1, 2, 3, 4].map((ticks) => next({ data: { ticks } })).join(''));
    });
    const stream = await streams.open(request(url));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await stream.next()).kind).toBe('overflow');
    await expect.poll(() => subgraph.closed.length).toBeGreaterThan(0);
  });

  it('reports a stream that breaks off as lost, and one that stays silent past the idle bound too', async () => {
    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write(next({ data: { ticks: 1 } }));
      setTimeout(() => res.destroy(), 50);
    });
    const broken = await streams.open(request(url));
    expect(kinds([await broken.next()])).toEqual([{ data: { ticks: 1 } }]);
    expect((await broken.next()).kind).toBe('lost');

    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write(':\n\n');
    });
    const silent = await streams.open(request(url));
    expect((await silent.next()).kind).toBe('lost');
  });

  it('closes the connection when the gateway closes the stream', async () => {
    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write(':\n\n');
    });
    const before = subgraph.closed.length;
    const stream = await streams.open(request(url));
    stream.close();
    expect((await stream.next()).kind).toBe('complete');
    await expect.poll(() => subgraph.closed.length).toBe(before + 1);
  });

  it("refuses with the subgraph's own coded errors, or as unavailable when its answer is not GraphQL or it cannot be reached", async () => {
    subgraph.answer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'Sign in', extensions: { code: 'UNAUTHENTICATED' } }] }));
    });
    const refusal = await streams.open(request(url)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SubgraphRefusal);
    expect((refusal as SubgraphRefusal).errors).toEqual([{ message: 'Sign in', extensions: { code: 'UNAUTHENTICATED' } }]);

    subgraph.answer((_req, res) => res.writeHead(502).end('bad gateway'));
    await expect(streams.open(request(url))).rejects.toBeInstanceOf(DependencyUnavailable);
    subgraph.answer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<p>no</p>'));
    await expect(streams.open(request(url))).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(streams.open(request('http://127.0.0.1:1/graphql'))).rejects.toBeInstanceOf(DependencyUnavailable);
    // Headers that never come are a subgraph unavailable too.
    subgraph.answer(() => undefined);
    await expect(streams.open(request(url))).rejects.toThrow(/did not open the subscription/);
  });
});
