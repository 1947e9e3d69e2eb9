import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HoldMode = 'before-reserve' | 'after-reserve';

/**
 * Stands between orders and products and stalls the first reserveStock call: either before
 * products sees it, or after products has reserved (its answer never reaches orders). Either
 * way orders is left waiting at the step a crash test wants to kill it at.
 */
export async function startProductsProxy(productsUrl: string, mode: HoldMode) {
  let onHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  let heldRequest: { body: string; headers: Record<string, string> } | undefined;
  const stalled: ServerResponse[] = [];

  const forward = async (body: string, headers: Record<string, string>) =>
    fetch(`${productsUrl}/graphql`, { method: 'POST', headers, body });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length'),
    );
    if (body.includes('reserveStock') && !heldRequest) {
      heldRequest = { body, headers };
      if (mode === 'after-reserve') await (await forward(body, headers)).text();
      stalled.push(res);
      onHeld();
      return;
    }
    const answer = await forward(body, headers);
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(await answer.text());
  };
  // A request that fails midway (products stopped, the client gone) is cut off rather than left as an unhandled rejection.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves once a reserveStock call is being held. */
    held,
    /** Sends the held reserveStock to products now (a request that arrives late), returning products' answer. */
    async deliverLate(): Promise<string> {
      if (!heldRequest) throw new Error('nothing held');
      return (await forward(heldRequest.body, heldRequest.headers)).text();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of stalled) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
