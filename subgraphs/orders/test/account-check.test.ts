import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test/support/logger.js';
import { inRequestScope } from '@shop/service-kit';
import { createAccountCheck } from '../src/account-check.js';

const VIEWER = { userId: 'user-1', role: 'CUSTOMER' as const, scopes: [] };
const request = { authorization: 'Bearer token', logger: testLogger('orders') };

/** A stand-in for users that records what it was sent and answers as told. */
describe("orders' account check against users", () => {
  let server: Server;
  let url: string;
  let received: IncomingHttpHeaders[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: { data: { me: { id: VIEWER.userId } } } };
  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("asks users for `me` with the caller's token and this request's id, so both services log the same id", async () => {
    received = [];
    await inRequestScope('req-42', () => createAccountCheck({ url, timeoutMs: 1_000 }).requireAccount(VIEWER, request));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ authorization: 'Bearer token', 'x-request-id': 'req-42' });
  });

  it('refuses a user users does not have, and a token users refuses, with UNAUTHENTICATED', async () => {
    const check = createAccountCheck({ url, timeoutMs: 1_000 });
    answer = { status: 200, body: { data: { me: null } } };
    await expect(check.requireAccount(VIEWER, request)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    answer = { status: 401, body: { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] } };
    await expect(check.requireAccount(VIEWER, request)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    answer = { status: 200, body: { data: { me: { id: VIEWER.userId } } } };
  });

  it('fails closed with SERVICE_UNAVAILABLE when users cannot answer', async () => {
    const down = createAccountCheck({ url: 'http://127.0.0.1:1', timeoutMs: 1_000 });
    await expect(down.requireAccount(VIEWER, request)).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    answer = { status: 503, body: 'unavailable' };
    await expect(createAccountCheck({ url, timeoutMs: 1_000 }).requireAccount(VIEWER, request)).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    answer = { status: 200, body: { data: { me: { id: VIEWER.userId } } } };
  });

  it('fails closed with SERVICE_UNAVAILABLE when users is too slow, or answers an error that is no verdict on the token', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const slow = createAccountCheck({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 200 });
      await expect(slow.requireAccount(VIEWER, request)).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    answer = { status: 200, body: { data: null, errors: [{ message: 'odd', extensions: { code: 'FORBIDDEN' } }] } };
    await expect(createAccountCheck({ url, timeoutMs: 1_000 }).requireAccount(VIEWER, request)).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    answer = { status: 200, body: { data: { me: { id: VIEWER.userId } } } };
  });
});
