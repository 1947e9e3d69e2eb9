import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in does with one request: answer it, never answer it, or drop the connection. */
export type Behaviour = { status: number; body: unknown } | 'hang' | 'drop';

export interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * Another service as a real HTTP server on a free loopback port: it records each request and
 * behaves as the test says, so clients are tested over real sockets, timeouts and resets.
 */
export async function startStandInService(initial: Behaviour = { status: 200, body: { data: {} } }) {
  const received: Received[] = [];
  let behaviour: (request: Received) => Behaviour = () => initial;
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += (chunk as Buffer).toString();
    const request = { headers: req.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
    received.push(request);
    const planned = behaviour(request);
    if (planned === 'hang') return;
    if (planned === 'drop') return void req.socket.destroy();
    const body = typeof planned.body === 'string' ? planned.body : JSON.stringify(planned.body);
    res.writeHead(planned.status, { 'content-type': typeof planned.body === 'string' ? 'text/plain' : 'application/json' }).end(body);
  };
  // A request the stand-in cannot read (its client went away) is cut, never an unhandled rejection.
  const server = createServer((req, res) => void answer(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** From now on, every request gets this (or what the function picks for it). */
    behave(next: Behaviour | ((request: Received) => Behaviour)) {
      behaviour = typeof next === 'function' ? next : () => next;
    },
    // Hanging requests would keep close() waiting: their sockets are cut first.
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StandInService = Awaited<ReturnType<typeof startStandInService>>;
