import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a receiver got, as it arrived: headers and the raw body (what a signature covers). */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers one request: a status (and body, headers), or `hang` to never answer. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/**
 * A merchant's webhook endpoint on a free loopback port, recording every request; `answer` decides
 * each reply (204 by default) and may be changed while it runs.
 */
export async function startWebhookReceiver(initial: (request: ReceivedWebhook) => Answer = () => ({ status: 204 })) {
  const received: ReceivedWebhook[] = [];
  const hanging = new Set<ServerResponse>();
  let mostHangingAtOnce = 0;
  let answer = initial;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      const reply = answer(request);
      if (reply === 'hang') {
        hanging.add(res);
        mostHangingAtOnce = Math.max(mostHangingAtOnce, hanging.size);
        // The sender gave up (its timeout): no longer hanging here.
        res.on('close', () => hanging.delete(res));
        return;
      }
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** The parsed bodies received, in order. */
    events: () => received.map((request) => JSON.parse(request.body) as { id: string; type: string; order: { id: string; status: string } }),
    answerWith(next: (request: ReceivedWebhook) => Answer) {
      answer = next;
    },
    /** Requests hanging now, and the most that ever hung at once. */
    hangingCount: () => hanging.size,
    mostHangingAtOnce: () => mostHangingAtOnce,
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
