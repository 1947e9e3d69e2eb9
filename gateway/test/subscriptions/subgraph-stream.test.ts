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

  it('reports a next whose data is not a JSON result as lost, and a stream that ends without completing too', async () => {
    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write('event: next\ndata: {not json\n\n');
    });
    const garbled = await streams.open(request(url));
    expect((await garbled.next()).kind).toBe('lost');
    await expect.poll(() => subgraph.closed.length).toBeGreaterThan(0);

    subgraph.answer((_req, res) => {
      eventStream(res);
      res.end(next({ data: { ticks: 1 } }));
    });
    const cut = await streams.open(request(url));
    expect(kinds([await cut.next(), await cut.next()])).toEqual([{ data: { ticks: 1 } }, 'lost']);
  });

  it('reports an event past 1 MiB as lost, closing its connection, rather than hold it', async () => {
    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write('event: next\ndata: {"data":{"big":"');
      // Never terminated: the gateway would otherwise buffer it without end.
      const chunk = 'x'.repeat(64 * 1024);
      for (let sent = 0; sent < 20; sent += 1) res.write(chunk);
    });
    const before = subgraph.closed.length;
    const flooding = await streams.open(request(url));
    const event = await flooding.next();
    expect(event).toMatchObject({ kind: 'lost', error: { type: 'max-buffer-size-exceeded' } });
    await expect.poll(() => subgraph.closed.length).toBeGreaterThan(before);
  });

  it('reads a character split across two chunks whole', async () => {
    const bytes = Buffer.from(next({ data: { name: 'café ☕' } }));
    const split = bytes.indexOf(Buffer.from('☕')) + 1;
    subgraph.answer((_req, res) => {
      eventStream(res);
      res.write(bytes.subarray(0, split));
      setTimeout(() => res.write(bytes.subarray(split)), 50);
    });
    const stream = await streams.open(request(url));
    expect(kinds([await stream.next()])).toEqual([{ data: { name: 'café ☕' } }]);
    stream.close();
  });

  it('keeps a stream open while heartbeats come, however long past the idle bound it lasts', async () => {
    const patient = subgraphStreams({ openTimeoutMs: 1_000, idleTimeoutMs: 1_000, maxPendingEvents: 2 });
    subgraph.answer((_req, res) => {
      eventStream(res);
      const heartbeats = setInterval(() => res.write(':\n\n'), 50);
      setTimeout(() => {
        clearInterval(heartbeats);
        res.write(next({ data: { ticks: 1 } }));
      }, 2_500);
      res.on('close', () => clearInterval(heartbeats));
    });
    try {
      const stream = await patient.open(request(url));
      expect(kinds([await stream.next()])).toEqual([{ data: { ticks: 1 } }]);
      stream.close();
    } finally {
      await patient.close();
    }
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
    const uncoded = await streams.open(request(url)).catch((error: unknown) => error);
    expect(uncoded).toBeInstanceOf(DependencyUnavailable);
    expect((uncoded as DependencyUnavailable).countsAgainstBreaker).toBe(false);
    // A success that is no event stream (a subgraph answering the subscription as a query) is no stream either.
    subgraph.answer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { ticks: 1 } })));
    await expect(streams.open(request(url))).rejects.toThrow(/without an event stream/);
    await expect(streams.open(request('http://127.0.0.1:1/graphql'))).rejects.toBeInstanceOf(DependencyUnavailable);
    // Headers that never come are a subgraph unavailable too.
    subgraph.answer(() => undefined);
    await expect(streams.open(request(url))).rejects.toThrow(/did not open the subscription/);
  });
});
