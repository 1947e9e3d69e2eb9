import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP relay to the PostgreSQL server, which a test cuts (its connections dropped, and each new
 * one dropped as it comes, as when the server is gone) and mends (the server back). It keeps
 * listening while cut, so mending never has to win its port back.
 */
export async function startDatabaseRelay(serverUrl: string) {
  const target = new URL(serverUrl);
  const sockets = new Set<Socket>();
  let cut = false;
  const relay = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => [client, upstream].forEach((end) => end.destroy()));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(0, '127.0.0.1', resolve);
  });
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as AddressInfo).port);
  const dropAll = () => sockets.forEach((socket) => socket.destroy());
  return {
    url: url.toString(),
    cut() {
      cut = true;
      dropAll();
    },
    mend() {
      cut = false;
    },
    async close() {
      dropAll();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

export type DatabaseRelay = Awaited<ReturnType<typeof startDatabaseRelay>>;
