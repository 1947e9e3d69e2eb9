import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../load.js';

/** Answers `{ data }` to every POST: slowly (800 ms) for 0.9 s from its first request, then at once: the last slow answers come after the first second. */
function coldServer(): Promise<{ server: Server; url: string }> {
  let first: number | undefined;
  const server = createServer((req, res) => {
    first ??= performance.now();
    const cold = performance.now() - first < 900;
    req.resume();
    req.on('end', () => setTimeout(() => res.end('{"data":{"ok":true}}'), cold ? 800 : 0));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })),
  );
}

describe('bench load in windows', () => {
  let cold: Awaited<ReturnType<typeof coldServer>>;
  beforeAll(async () => {
    cold = await coldServer();
  });
  afterAll(() => new Promise<void>((resolve) => cold.server.close(() => resolve())));

  it('counts each response in the window its request was sent in, so a slow first request stays in the first', async () => {
    const result = await runLoad({ url: cold.url, operations: [{ query: '{ ok }' }], token: '', connections: 2, durationSeconds: 2, windows: [{ seconds: 1 }, { seconds: 1 }] });
    const [first, rest] = result.windows!;
    expect(first!.maxMs).toBeGreaterThanOrEqual(790);
    expect(rest!.maxMs).toBeLessThan(790);
    expect(rest!.requestsPerSecond).toBeGreaterThan(first!.requestsPerSecond);
    expect(first!.p50Ms).toBeLessThanOrEqual(first!.p99Ms);
    expect(first!.responses + rest!.responses).toBeLessThanOrEqual(result.responses + 2);
    expect([first!.errors, first!.non2xx, rest!.errors, rest!.non2xx]).toEqual([0, 0, 0, 0]);
  });
});
