import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphClient, type SubgraphCall } from '../src/subgraph-client.js';

/** A subgraph stand-in that holds every answer until released, so calls are in flight together. */
function slowSubgraph() {
  const received: { body: string; authorization: string | undefined }[] = [];
  let release: () => void = () => {};
  let released = new Promise<void>((resolve) => (release = resolve));
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += (chunk as Buffer).toString();
    received.push({ body, authorization: req.headers.authorization });
    await released;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'max-age=30, public');
    res.end(JSON.stringify({ data: { answer: received.length } }));
  };
  // A request that fails midway (the client gone) is cut off rather than left as an unhandled rejection.
  const server: Server = createServer((req, res) => void answer(req, res).catch(() => res.destroy()));
  return {
    received,
    release: () => release(),
    reset: () => {
      received.length = 0;
      released = new Promise<void>((resolve) => (release = resolve));
    },
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the subgraph client', () => {
  const subgraph = slowSubgraph();
  let url: string;
  const read = (overrides: Partial<SubgraphCall> = {}): SubgraphCall => ({
    url,
    headers: { 'content-type': 'application/json', authorization: 'Bearer a' },
    body: JSON.stringify({ query: '{ products { id } }' }),
    read: true,
    sharedBy: 'Bearer a',
    ...overrides,
  });
  /** Starts the calls, waits until the subgraph has every call it will get, then lets it answer. */
  const together = async (client: ReturnType<typeof createSubgraphClient>, calls: SubgraphCall[], expectedAtSubgraph: number) => {
    const replies = Promise.all(calls.map((call) => client.call(call)));
    while (subgraph.received.length < expectedAtSubgraph) await new Promise((resolve) => setTimeout(resolve, 5));
    // Give any extra call time to arrive, so a count above the expected one shows.
    await new Promise((resolve) => setTimeout(resolve, 50));
    subgraph.release();
    return replies;
  };
  beforeAll(async () => {
    url = await subgraph.listen();
  });
  afterEach(() => subgraph.reset());
  afterAll(() => subgraph.close());

  it('sends identical reads in flight at once as one call, and each caller gets the answer', async () => {
    const client = createSubgraphClient({ connections: 8, timeoutMs: 5_000, deduplicateReads: true });
    const replies = await together(client, Array.from({ length: 10 }, () => read()), 1);
    expect(subgraph.received).toHaveLength(1);
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((reply) => reply.body))).toEqual(new Set(['{"data":{"answer":1}}']));
    expect(replies[0]!.cacheControl).toBe('max-age=30, public');
    await client.close();
  });

  it('never shares across tokens, bodies or subgraphs, nor a mutation, nor once the first answer is in', async () => {
    const client = createSubgraphClient({ connections: 8, timeoutMs: 5_000, deduplicateReads: true });
    const calls = [
      read(),
      read({ sharedBy: 'Bearer b', headers: { authorization: 'Bearer b' } }),
      read({ body: JSON.stringify({ query: '{ products { name } }' }) }),
      read({ url: url.replace('/graphql', '/graphql2') }),
      read({ read: false, body: JSON.stringify({ query: 'mutation { a }' }) }),
      read({ read: false, body: JSON.stringify({ query: 'mutation { a }' }) }),
    ];
    await together(client, calls, calls.length);
    expect(subgraph.received).toHaveLength(calls.length);
    expect(subgraph.received.map((call) => call.authorization)).toContain('Bearer b');

    subgraph.reset();
    await together(client, [read()], 1);
    expect(subgraph.received).toHaveLength(1);
    await client.close();
  });

  it('sends every call when deduplication is off', async () => {
    const client = createSubgraphClient({ connections: 8, timeoutMs: 5_000, deduplicateReads: false });
    await together(client, Array.from({ length: 5 }, () => read()), 5);
    expect(subgraph.received).toHaveLength(5);
    await client.close();
  });
});
